/**
 * A detached container run by an ordinary user: its monitor and cleanup run
 * as that user, its range comes from the user's subordinate ids, and top
 * finds its processes without a cgroup (no delegation here).
 */
import assert from 'node:assert/strict';
import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { rootlessSubordinateRange } from '../../helpers/rootless-user.ts';
import { requireCommand, requireRoot } from '../../helpers/requirements.ts';
import { runIsola } from '../../helpers/run-cli.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';
import { prepareRootless } from '../rootless/rootless-run.ts';

test('an ordinary user runs a detached container, sees its logs and processes, stops and removes it', async (t) => {
  if (!requireRoot(t, 'creates the rootless test user') || !requireCommand(t, 'newuidmap')) return;
  const { user, rootfs } = await prepareRootless();
  await withTempDirs(async (dirs) => {
    const isola = async (...args: string[]): Promise<string> => {
      const result = await runIsola([...dirs.args, ...args], { user, env: { XDG_RUNTIME_DIR: dirs.runroot } });
      assert.equal(result.code, 0, `isola ${args.join(' ')}: ${result.stderr}`);
      return result.stdout;
    };
    await isola('run', '-d', '--name', 'r', '--rootfs', rootfs, '--', 'sh', '-c', 'echo rootless; sleep 1000 & wait');
    let top = '';
    for (let i = 0; i < 100 && !top.includes('sleep 1000'); i++) {
      top = await isola('top', 'r', 'user', 'huser', 'pid', 'args');
      await sleep(50);
    }
    const rows = top.trim().split('\n').slice(1).map((line) => line.split(/\s{3,}/));
    assert.deepEqual(rows.map((row) => row.slice(0, 3)), [['root', String(rootlessSubordinateRange.start), '1'],
      ['root', String(rootlessSubordinateRange.start), rows[1]![2]!]]);
    assert.equal(await isola('logs', 'r'), 'rootless\n');
    await isola('stop', '-t', '1', 'r');
    assert.match(await isola('ps', '-a'), /Exited \(137\)/);
    await isola('rm', 'r');
    assert.equal(await isola('ps', '-aq'), '');
  }, { owner: user });
});

test('an ordinary user runs a detached container from layers: its writes survive stop and start, rm removes its storage', async (t) => {
  if (!requireRoot(t, 'creates the rootless test user') || !requireCommand(t, 'newuidmap')) return;
  const { user, rootfs } = await prepareRootless();
  await withTempDirs(async (dirs) => {
    const isola = async (...args: string[]): Promise<string> => {
      const result = await runIsola([...dirs.args, ...args], { user, env: { XDG_RUNTIME_DIR: dirs.runroot } });
      assert.equal(result.code, 0, `isola ${args.join(' ')}: ${result.stderr}`);
      return result.stdout;
    };
    const id = (await isola('run', '-d', '--layer', rootfs, '--', 'sleep', '1000')).trim();
    await isola('exec', id, 'sh', '-c', 'echo kept > /tmp/rootless-note');
    await isola('stop', '-t', '0', id);
    await isola('start', id);
    assert.equal(await isola('exec', id, 'cat', '/tmp/rootless-note'), 'kept\n');
    assert.equal(await access(join(rootfs, 'tmp', 'rootless-note')).then(() => true, () => false), false, 'the layer is untouched');
    await isola('rm', '-f', id);
    assert.deepEqual(await readdir(join(dirs.root, 'storage', 'containers')), []);
    assert.equal(await isola('ps', '-aq'), '');
  }, { owner: user });
});
