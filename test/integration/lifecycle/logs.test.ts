/**
 * The monitor's k8s-file log read back: follow until exit, --tail, --since,
 * a last line without a newline, and rotation (through the API's logMaxBytes).
 */
import assert from 'node:assert/strict';
import { access, readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { Engine } from '../../../src/engine/index.ts';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { assertNothingLeft, isolaIn } from '../../helpers/detached.ts';
import { requireRoot } from '../../helpers/requirements.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';

test('logs -f follows the container until it exits, and --tail and --since pick lines', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const isola = isolaIn(dirs);
    await isola.ok('run', '-d', '--name', 'l', '--rootfs', rootfs, '--', 'sh', '-c',
      'for i in 1 2 3 4 5; do echo line $i; sleep 0.1; done; printf "no newline"');
    assert.equal(await isola.ok('logs', '-f', 'l'), 'line 1\nline 2\nline 3\nline 4\nline 5\nno newline\n');
    assert.equal(await isola.ok('logs', '--tail', '2', 'l'), 'line 5\nno newline\n');
    assert.equal(await isola.ok('logs', '--since', '2000-01-01T00:00:00Z', '--tail', '1', 'l'), 'no newline\n');
    assert.equal(await isola.ok('logs', '--since', new Date(Date.now() + 60_000).toISOString(), 'l'), '');
    await isola.ok('rm', 'l');
    await assertNothingLeft(isola, dirs, []);
  });
});

test('the log rotates above its size limit and logs reads across the rotated file', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const engine = await Engine.open({ root: dirs.root, runroot: dirs.runroot });
    try {
      const c = await engine.run({
        rootfs, cmd: ['sh', '-c', 'i=0; while [ $i -lt 800 ]; do echo "entry $i"; i=$((i+1)); done'], logMaxBytes: 8192, detach: true,
      });
      assert.equal(await c.wait(), 0);
      const { logPath } = await c.inspect();
      await access(`${logPath}.1`);
      assert.ok((await readFile(`${logPath}.1`, 'utf8')).length >= 8192);
      const lines: string[] = [];
      for await (const line of c.logs()) lines.push(line.text);
      assert.equal(lines.at(-1), 'entry 799');
      assert.ok(lines.length < 800, 'the oldest entries were rotated away');
      assert.deepEqual(lines, lines.map((_, i) => `entry ${800 - lines.length + i}`), 'no line lost or repeated across the rotation');
      await c.remove();
    } finally {
      await engine.close();
    }
    await assertNothingLeft(isolaIn(dirs), dirs, []);
  });
});
