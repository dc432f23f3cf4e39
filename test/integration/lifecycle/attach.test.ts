/**
 * attach: the container's terminal through its monitor's socket, from a
 * run directory whose path is longer than a unix socket address may be.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { assertNothingLeft, inspect, isolaIn } from '../../helpers/detached.ts';
import { requireRoot } from '../../helpers/requirements.ts';
import { runIsola } from '../../helpers/run-cli.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';

test('attach relays input to a detached container\'s terminal and its output back, then exits with its status', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const isola = isolaIn(dirs);
    await isola.ok('run', '-d', '-t', '--name', 'a', '--rootfs', rootfs, '--', 'sh', '-c', 'echo ready; read line; echo "got $line"; exit 4');
    assert.ok((await inspect(isola, 'a')).runDir.length + '/attach'.length > 107, 'the socket path is longer than sun_path');
    for (let i = 0; i < 100 && !(await isola.ok('logs', 'a')).includes('ready'); i++) await sleep(50);
    const attached = await runIsola([...dirs.args, 'attach', 'a'], { input: 'hello\n', timeoutMs: 30_000 });
    assert.equal(attached.code, 4, attached.stderr);
    assert.match(attached.stdout, /got hello/);
    assert.equal(await isola.ok('logs', 'a'), 'ready\nhello\ngot hello\n');
    assert.equal((await isola('attach', 'a')).code, 125, 'an exited container cannot be attached to');
    await isola.ok('rm', 'a');
    await assertNothingLeft(isola, dirs, []);
  });
});
