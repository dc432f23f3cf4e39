/**
 * create/start, names, kill -s, rename, --rm, prune, and the refusals that
 * leave nothing behind.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { assertNothingLeft, inspect, isolaIn, psJson } from '../../helpers/detached.ts';
import { requireRoot } from '../../helpers/requirements.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';

test('a created container has its range but no process until start, and is named uniquely', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const isola = isolaIn(dirs);
    const id = (await isola.ok('create', '--name', 'box', '--rootfs', rootfs, '--', 'sleep', '1000')).trim();
    assert.deepEqual((await psJson(isola)).map((e) => [e.Id, e.State, e.Pid]), [[id, 'created', 0]]);
    assert.equal(await isola.ok('ps'), 'CONTAINER ID   IMAGE   COMMAND   CREATED   STATUS   HOST UID   NAMES\n');
    assert.equal((await inspect(isola, 'box')).hostUids.length, 1);

    const taken = await isola('run', '-d', '--name', 'box', '--rootfs', rootfs, '--', 'true');
    assert.equal(taken.code, 125);
    assert.match(taken.stderr, /^isola: the name box is already used/);
    assert.equal((await psJson(isola)).length, 1, 'the refused run left no record');

    assert.equal(await isola.ok('start', 'box'), 'box\n');
    assert.equal((await inspect(isola, id.slice(0, 8))).state, 'running', 'an id prefix finds it');
    await isola.ok('rename', 'box', 'crate');
    assert.equal((await isola('inspect', 'box')).code, 125);
    assert.equal((await inspect(isola, 'crate')).id, id);

    const refused = await isola('rm', 'crate');
    assert.equal(refused.code, 125);
    assert.match(refused.stderr, /it is running/);
    await isola.ok('rm', '-f', 'crate');
    await assertNothingLeft(isola, dirs, [id]);
  });
});

test('kill -s delivers the signal to the container\'s first process', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const isola = isolaIn(dirs);
    await isola.ok('run', '-d', '--name', 'k', '--rootfs', rootfs, '--', 'sh', '-c',
      'trap "echo got USR1; exit 7" USR1; echo ready; while :; do sleep 0.1; done');
    for (let i = 0; i < 100 && !(await isola.ok('logs', 'k')).includes('ready'); i++) await sleep(50);
    await isola.ok('kill', '-s', 'USR1', 'k');
    assert.equal(await isola.ok('wait', 'k'), '7\n');
    assert.equal(await isola.ok('logs', 'k'), 'ready\ngot USR1\n');
    assert.equal((await isola('kill', 'k')).code, 125, 'a stopped container cannot be killed');
    const { id } = await inspect(isola, 'k');
    assert.equal(await isola.ok('prune'), `${id}\n`);
    await assertNothingLeft(isola, dirs, []);
  });
});

test('a --rm container removes itself when it exits', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const isola = isolaIn(dirs);
    const id = (await isola.ok('run', '-d', '--rm', '--rootfs', rootfs, '--', 'true')).trim();
    for (let i = 0; i < 200 && (await psJson(isola)).length > 0; i++) await sleep(50);
    await assertNothingLeft(isola, dirs, [id]);
  });
});

test('a container that cannot start leaves nothing, and bad flags are one line', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const isola = isolaIn(dirs);
    const missing = await isola('run', '-d', '--rootfs', rootfs, '--', '/no/such/command');
    assert.equal(missing.code, 127);
    assert.equal(missing.stderr.split('\n').length, 2);
    const badRestart = await isola('run', '-d', '--restart', 'sometimes', '--rootfs', rootfs, '--', 'true');
    assert.equal(badRestart.code, 125);
    assert.match(badRestart.stderr, /--restart: expected no, on-failure\[:N\] or always/);
    assert.equal((await isola('stop', 'nobody')).code, 125);
    await assertNothingLeft(isola, dirs, []);
  });
});
