/**
 * Detached and created containers from an image (a busybox image built at
 * test time and loaded) and from --layer: the image's config applies, ps
 * shows the image, exec and top read the container's own /etc/passwd, the
 * overlay's upper directory keeps what the container wrote across stop and
 * start and goes with `rm` (or with an --rm container's cleanup), and rmi
 * refuses an image a container uses.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { access, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Engine } from '../../../src/engine/index.ts';
import { buildBusyboxImage } from '../../fixtures/busybox-image.ts';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { assertNothingLeft, inspect, isolaIn, psJson, type Isola } from '../../helpers/detached.ts';
import { requireRoot } from '../../helpers/requirements.ts';
import { runCommand } from '../../helpers/run-command.ts';
import { withTempDirs, type TempDirs } from '../../helpers/temp-dirs.ts';

const IMAGE = 'docker.io/library/bb:1';
let work = '';
let archive = '';

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'isola-detached-image-'));
  const layout = join(work, 'layout');
  await buildBusyboxImage(layout, { runConfig: { Env: ['PATH=/bin', 'FROM_IMAGE=yes'], WorkingDir: '/root' } });
  archive = join(work, 'busybox.tar');
  const tar = await runCommand(['tar', '-C', layout, '-cf', archive, '.']);
  assert.equal(tar.code, 0, tar.stderr);
});

after(async () => {
  if (work !== '') await rm(work, { recursive: true, force: true });
});

async function loadImage(isola: Isola): Promise<string> {
  const id = /Loaded image: (\w+)/.exec(await isola.ok('load', '-i', archive))?.[1];
  assert.ok(id !== undefined);
  await isola.ok('tag', id, 'bb:1');
  return id;
}

function storageDir(dirs: TempDirs, id: string): string {
  return join(dirs.root, 'storage', 'containers', id);
}

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

/** Mounts on the host that name the container (its overlay must live in its own namespace only). */
async function hostMountsOf(id: string): Promise<string[]> {
  return (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter((line) => line.includes(id));
}

async function waitForMonitorDeath(pid: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await sleep(20);
  }
  assert.fail(`monitor ${pid} did not die`);
}

test('run -d of an image: ps shows the image, exec and top see its users, its writes survive stop and start, rm removes them', async (t) => {
  if (!requireRoot(t)) return;
  await withTempDirs(async (dirs) => {
    const isola = isolaIn(dirs);
    const imageId = await loadImage(isola);
    const id = (await isola.ok('run', '-d', '--name', 'web', 'bb:1', 'sh', '-c', 'echo "up $FROM_IMAGE $(pwd)"; exec sleep 1000')).trim();
    const [entry] = await psJson(isola) as unknown as { Id: string; Image: string; ImageID: string; State: string }[];
    assert.deepEqual([entry?.Id, entry?.Image, entry?.ImageID, entry?.State], [id, IMAGE, imageId, 'running']);
    assert.match(await isola.ok('ps'), new RegExp(`^CONTAINER ID\\s+IMAGE\\s+COMMAND[^\\n]*\\n${id.slice(0, 12)}\\s+${IMAGE.replaceAll('.', '\\.')}\\s`));

    // A fresh range of its own: root inside is the range's first id outside.
    const { hostUids } = await inspect(isola, 'web');
    assert.equal(hostUids.length, 1);
    assert.deepEqual((await isola.ok('exec', 'web', 'cat', '/proc/self/uid_map')).trim().split(/\s+/), ['0', `${hostUids[0]!.start}`, '65536']);
    assert.equal(await isola.ok('exec', 'web', 'id', '-u'), '0\n');
    assert.equal(await isola.ok('exec', '-u', 'nobody', 'web', 'id', '-u'), '65534\n', 'the name comes from the image\'s /etc/passwd');
    const [header, row] = (await isola.ok('top', 'web', 'user', 'huser')).trim().split('\n');
    assert.match(header ?? '', /^USER\s+HUSER$/);
    assert.match(row ?? '', new RegExp(`^root\\s+${hostUids[0]!.start}$`));
    for (let i = 0; i < 100 && !(await isola.ok('logs', 'web')).includes('up'); i++) await sleep(50);
    assert.equal(await isola.ok('logs', 'web'), 'up yes /root\n');

    const refused = await isola('rmi', 'bb:1');
    assert.equal(refused.code, 125);
    assert.match(refused.stderr, /in use by container web.*isola rm web/);

    await isola.ok('exec', 'web', 'sh', '-c', 'echo kept > /root/note');
    await isola.ok('stop', '-t', '1', 'web');
    assert.equal((await inspect(isola, 'web')).state, 'exited');
    assert.equal(await readFile(join(storageDir(dirs, id), 'upper', 'root', 'note'), 'utf8'), 'kept\n');
    assert.deepEqual(await hostMountsOf(id), []);

    await isola.ok('start', 'web');
    assert.equal(await isola.ok('exec', 'web', 'cat', '/root/note'), 'kept\n');
    assert.deepEqual((await inspect(isola, 'web')).hostUids, hostUids, 'the same range after a restart');

    await isola.ok('rm', '-f', 'web');
    assert.equal(await exists(storageDir(dirs, id)), false);
    assert.deepEqual(await hostMountsOf(id), []);
    await assertNothingLeft(isola, dirs, [id]);
    assert.match(await isola.ok('rmi', 'bb:1'), /^Deleted: /, 'no container uses it any more');
  });
});

test('kill -9 of an image container\'s monitor: ps reports it exited, rm leaves no storage, mount or range', async (t) => {
  if (!requireRoot(t)) return;
  await withTempDirs(async (dirs) => {
    const isola = isolaIn(dirs);
    await loadImage(isola);
    const id = (await isola.ok('run', '-d', 'bb:1', 'sleep', '1000')).trim();
    const before = await inspect(isola, id);
    assert.equal(before.state, 'running');
    assert.equal(await exists(join(storageDir(dirs, id), 'upper')), true);
    process.kill(before.monitorPid!, 'SIGKILL');
    await waitForMonitorDeath(before.monitorPid!);

    const [entry] = await psJson(isola);
    assert.deepEqual([entry?.Id, entry?.State, entry?.ExitCode], [id, 'exited', null]);
    await isola.ok('rm', id);
    assert.deepEqual(await hostMountsOf(id), []);
    assert.deepEqual(await readdir(join(dirs.root, 'storage', 'containers')), []);
    await assertNothingLeft(isola, dirs, [id]);
  });
});

test('the API creates and runs image containers detached; --rm cleans its storage up on exit; rmi -f removes users', async (t) => {
  if (!requireRoot(t)) return;
  await withTempDirs(async (dirs) => {
    const isola = isolaIn(dirs);
    await loadImage(isola);
    const engine = await Engine.open({ root: dirs.root, runroot: dirs.runroot, configFiles: [] });
    try {
      const gone = await engine.run({ image: 'bb:1', cmd: ['sh', '-c', 'echo bye > /root/x'], autoRemove: true, detach: true });
      for (let i = 0; i < 200 && (await engine.ps({ all: true })).length > 0; i++) await sleep(25);
      assert.deepEqual(await engine.ps({ all: true }), [], 'the --rm container removed itself');
      assert.equal(await exists(storageDir(dirs, gone.id)), false, 'its monitor\'s cleanup removed its upper directory');

      const created = await engine.create({ image: 'bb:1', name: 'later' });
      const info = await engine.inspect('later');
      assert.deepEqual([info.state, info.image?.name, info.command], ['created', IMAGE, ['sh']], 'the image\'s Cmd');
      await engine.start('later');
      assert.equal(await engine.wait('later'), 0, 'sh with no input exits 0');
      const [removed] = await engine.removeImages(['bb:1'], { force: true });
      assert.equal(removed?.isImageRemoved, true);
      assert.deepEqual(await engine.ps({ all: true }), []);
      assert.equal(await exists(storageDir(dirs, created.id)), false);
    } finally {
      await engine.close();
    }
    await assertNothingLeft(isola, dirs, []);
  });
});

test('run -d --layer DIR: the container writes to its own upper directory, never to the layer', async (t) => {
  if (!requireRoot(t)) return;
  const layer = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const isola = isolaIn(dirs);
    const id = (await isola.ok('run', '-d', '--layer', layer, '--', 'sh', '-c', 'echo mine > /tmp/detached-layer; exec sleep 1000')).trim();
    for (let i = 0; i < 100 && (await isola('exec', id, 'cat', '/tmp/detached-layer')).code !== 0; i++) await sleep(50);
    assert.equal(await isola.ok('exec', id, 'cat', '/tmp/detached-layer'), 'mine\n');
    assert.equal(await exists(join(layer, 'tmp', 'detached-layer')), false);
    assert.equal(await exists(join(storageDir(dirs, id), 'upper', 'tmp', 'detached-layer')), true);
    await isola.ok('rm', '-f', id);
    assert.equal(await exists(storageDir(dirs, id)), false);
    await assertNothingLeft(isola, dirs, [id]);
  });
});
