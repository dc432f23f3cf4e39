/**
 * Anonymous volumes (`-v /path`, an image's VOLUME) and `rm -v`, as in docker:
 * each container gets volumes of its own, `rm -v` and `--rm` remove them, a
 * plain `rm` and named volumes keep theirs. And `ps --filter ancestor=IMAGE`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildBusyboxImage } from '../../fixtures/busybox-image.ts';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { assertNothingLeft, isolaIn, type Isola } from '../../helpers/detached.ts';
import { requireRoot } from '../../helpers/requirements.ts';
import { runCommand } from '../../helpers/run-command.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';

let work = '';
let archive = '';

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'isola-anonymous-volumes-'));
  const layout = join(work, 'layout');
  await buildBusyboxImage(layout, { runConfig: { Volumes: { '/data': {} } } });
  archive = join(work, 'busybox.tar');
  const tar = await runCommand(['tar', '-C', layout, '-cf', archive, '.']);
  assert.equal(tar.code, 0, tar.stderr);
});

after(async () => {
  if (work !== '') await rm(work, { recursive: true, force: true });
});

async function volumeNames(isola: Isola): Promise<string[]> {
  return (JSON.parse(await isola.ok('volume', 'ls', '--format', 'json')) as { Name: string }[]).map((v) => v.Name).sort();
}

test('rm -v removes a container\'s anonymous volumes (image VOLUME, -v /path) and keeps named ones; rm alone keeps them', async (t) => {
  if (!requireRoot(t)) return;
  await withTempDirs(async (dirs) => {
    const isola = isolaIn(dirs);
    const imageId = /Loaded image: (\w+)/.exec(await isola.ok('load', '-i', archive))?.[1];
    assert.ok(imageId !== undefined);
    await isola.ok('tag', imageId, 'bb:1');
    await isola.ok('volume', 'create', 'keep');
    await writeFile(join(dirs.root, 'volumes', 'keep', '_data', 'f'), 'n\n');
    await isola.ok('run', '-d', '--name', 'kept', 'bb:1', 'sh', '-c', 'echo kept > /data/f; sleep 1000');
    await isola.ok('run', '-d', '--name', 'gone', '-v', 'keep:/named', '-v', '/scratch', 'bb:1', 'sh', '-c',
      'echo d > /data/f; echo s > /scratch/f; echo written; sleep 1000');
    for (let i = 0; i < 200 && !(await isola.ok('logs', 'gone')).includes('written'); i++) await sleep(50);
    for (let i = 0; i < 100 && (await volumeNames(isola)).length < 4; i++) await sleep(50);
    const all = await volumeNames(isola);
    const anonymous = all.filter((name) => /^[0-9a-f]{64}$/.test(name));
    assert.deepEqual([all.length, anonymous.length], [4, 3], `keep plus one /data for each container and /scratch: ${all.join(' ')}`);
    assert.equal(await isola.ok('exec', 'gone', 'cat', '/data/f', '/scratch/f', '/named/f'), 'd\ns\nn\n');

    await isola.ok('rm', '-f', 'kept');
    assert.deepEqual(await volumeNames(isola), all, 'rm without -v leaves the anonymous volume, as docker');
    await isola.ok('rm', '-f', '-v', 'gone');
    const left = await volumeNames(isola);
    assert.equal(left.length, 2);
    assert.ok(left.includes('keep'), 'a named volume is never removed with a container');
    assert.equal(await readFile(join(dirs.root, 'volumes', 'keep', '_data', 'f'), 'utf8'), 'n\n');
    for (const name of left) await isola.ok('volume', 'rm', name);
    await assertNothingLeft(isola, dirs, []);
  });
});

test('--rm takes the anonymous volumes along, detached and in the foreground', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const isola = isolaIn(dirs);
    await isola.ok('run', '-d', '--rm', '--name', 'brief', '-v', '/scratch', '--rootfs', rootfs, '--', 'sh', '-c', 'echo x > /scratch/f');
    for (let i = 0; i < 200 && (JSON.parse(await isola.ok('ps', '-a', '--format', 'json')) as unknown[]).length > 0; i++) await sleep(50);
    assert.deepEqual(await volumeNames(isola), []);
    assert.equal(await isola.ok('run', '--rm', '-v', '/scratch', '--rootfs', rootfs, '--', 'sh', '-c', 'echo x > /scratch/f; cat /scratch/f'), 'x\n');
    assert.deepEqual(await volumeNames(isola), []);
    await assertNothingLeft(isola, dirs, []);
  });
});

test('ps --filter ancestor= matches by image name, name:tag, full reference or id prefix', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const isola = isolaIn(dirs);
    const imageId = /Loaded image: (\w+)/.exec(await isola.ok('load', '-i', archive))?.[1];
    assert.ok(imageId !== undefined);
    await isola.ok('tag', imageId, 'bb:1', 'other:latest');
    const fromImage = (await isola.ok('create', '--name', 'img', 'bb:1', 'true')).trim();
    const fromOther = (await isola.ok('create', '--name', 'other', 'other', 'true')).trim();
    await isola.ok('create', '--name', 'dir', '--rootfs', rootfs, '--', 'true');
    const matching = async (value: string) => (await isola.ok('ps', '-a', '-q', '--no-trunc', '--filter', `ancestor=${value}`)).split('\n').filter((l) => l !== '').sort();
    const both = [fromImage, fromOther].map((id) => id.slice(0, 12)).sort();
    for (const value of ['bb:1', 'docker.io/library/bb:1', 'other', imageId.slice(0, 12), imageId]) assert.deepEqual(await matching(value), both, value);
    assert.deepEqual(await matching('bb'), [], 'bb means bb:latest, which is not stored');
    assert.deepEqual(await matching('nosuch'), []);
    await isola.ok('rm', 'img', 'other', 'dir');
    for (const name of await volumeNames(isola)) await isola.ok('volume', 'rm', name);
    await assertNothingLeft(isola, dirs, []);
  });
});
