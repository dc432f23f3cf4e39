/**
 * `run -d -i` without a terminal: the container's stdin is a pipe its monitor
 * keeps open, so `attach` can write to it later (podman keeps stdin open for -i).
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { assertNothingLeft, inspect, isolaIn } from '../../helpers/detached.ts';
import { requireRoot } from '../../helpers/requirements.ts';
import { runIsola } from '../../helpers/run-cli.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';

test('run -d -i keeps stdin open: a line written through attach reaches the container', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs({ extraBinaries: ['cat'] });
  await withTempDirs(async (dirs) => {
    const isola = isolaIn(dirs);
    await isola.ok('run', '-d', '-i', '--name', 'reader', '--rootfs', rootfs, '--', 'cat');
    await isola.ok('run', '-d', '--name', 'closed', '--rootfs', rootfs, '--', 'cat');
    assert.equal((await inspect(isola, 'reader')).state, 'running', 'cat waits on its open stdin');

    const attached = runIsola([...dirs.args, 'attach', 'reader'], { input: 'hello from attach\n', timeoutMs: 30_000 });
    let logs = '';
    for (let i = 0; i < 200 && !logs.includes('hello'); i++, await sleep(50)) logs = await isola.ok('logs', 'reader');
    assert.equal(logs, 'hello from attach\n');
    // The attach ended its input; the container's stdin stays open for the next one.
    assert.equal((await inspect(isola, 'reader')).state, 'running');
    await isola.ok('kill', 'reader');
    const result = await attached;
    assert.equal(result.code, 137, result.stderr);
    assert.match(result.stdout, /hello from attach/);

    // Without -i, stdin is /dev/null: cat ends at once.
    for (let i = 0; i < 200 && (await inspect(isola, 'closed')).state !== 'exited'; i++) await sleep(50);
    const closed = await inspect(isola, 'closed');
    assert.deepEqual([closed.state, closed.exitCode], ['exited', 0]);
    await isola.ok('rm', 'reader', 'closed');
    await assertNothingLeft(isola, dirs, []);
  });
});
