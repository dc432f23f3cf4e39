/**
 * `isola run --layer ...` as root: the rootfs is an overlay of the layers plus
 * a writable layer of the container's own, the layers' ids shifted into the
 * container's range by ID-mapped lower mounts or, forced or where those are
 * unavailable, by a chowned copy per (layer, map), shared while used. Nothing is left on
 * the host afterwards, whether the container ran or failed to start.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, chown, lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { requireCommand, requireRoot } from '../../helpers/requirements.ts';
import { runIsola } from '../../helpers/run-cli.ts';
import { runCommand, type CommandResult } from '../../helpers/run-command.ts';
import { withTempDirs, type TempDirs } from '../../helpers/temp-dirs.ts';

const RANGE = 700000;
const MAP = ['--uidmap', `0:${RANGE}:65536`, '--gidmap', `0:${RANGE}:65536`];

let base = '';
let top = '';

/** A layer over the host rootfs: a file of uid 1000, a whiteout and an opaque directory. */
async function makeTopLayer(dir: string): Promise<string> {
  const layer = join(dir, 'top');
  await mkdir(join(layer, 'etc'), { recursive: true });
  await mkdir(join(layer, 'home', 'opaque'), { recursive: true });
  await writeFile(join(layer, 'etc', 'owned-by-1000'), 'mine\n', { mode: 0o600 });
  await chown(join(layer, 'etc', 'owned-by-1000'), 1000, 1000);
  await writeFile(join(layer, 'home', 'opaque', 'kept'), 'kept\n');
  // The host rootfs has /tmp and /home/*: the whiteout hides /tmp, the opaque directory what was in /home/opaque.
  assert.equal(spawnSync('mknod', [join(layer, 'tmp'), 'c', '0', '0']).status, 0);
  assert.equal(spawnSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', join(layer, 'home', 'opaque')]).status, 0);
  for (const path of [dir, layer, join(layer, 'etc'), join(layer, 'home'), join(layer, 'home', 'opaque')]) await chmod(path, 0o755);
  return layer;
}

function runLayers(dirs: TempDirs, args: readonly string[], script: string): Promise<CommandResult> {
  return ensureHostRootfs().then((rootfs) => runIsola([
    ...dirs.args, 'run', '--rm', ...args, '--layer', rootfs, '--layer', top, '--', 'sh', '-c', script,
  ]));
}

/** What a run leaves under the root and runroot, and mounts that mention either. */
async function leftovers(dirs: TempDirs): Promise<string[]> {
  const containers = await readdir(join(dirs.root, 'storage', 'containers')).catch(() => []);
  const runDirs = await readdir(join(dirs.runroot, 'containers')).catch(() => []);
  const mounts = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter((line) => line.includes(dirs.base));
  return [...containers, ...runDirs, ...mounts];
}

describe('a rootfs from image layers', () => {
  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'isola-layers-'));
    top = await makeTopLayer(base);
  });
  after(() => rm(base, { recursive: true, force: true }));

  for (const method of ['idmap', 'copy'] as const) {
    const flags = method === 'copy' ? ['--rootfs-copy', ...MAP] : MAP;

    test(`(${method}) shows the layers' owners inside and the range's ids on the host`, async (t) => {
      if (!requireRoot(t) || !requireCommand(t, 'setfattr')) return;
      await withTempDirs(async (dirs) => {
        const result = await runLayers(dirs, flags,
          'stat -c %u:%g /etc/owned-by-1000 /bin/sh; cat /etc/owned-by-1000; touch /made-here; stat -c %u /made-here');
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout, '1000:1000\n0:0\nmine\n0\n');
        assert.equal((await lstat(join(top, 'etc', 'owned-by-1000'))).uid, 1000, 'the layer itself is untouched');
        assert.deepEqual(await leftovers(dirs), []);
      });
    });

    test(`(${method}) honours whiteouts and opaque directories`, async (t) => {
      if (!requireRoot(t) || !requireCommand(t, 'setfattr')) return;
      await withTempDirs(async (dirs) => {
        const result = await runLayers(dirs, flags, 'test -e /tmp && echo tmp-visible; ls /home/opaque');
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout, 'kept\n');
      });
    });
  }

  test('writes land in the container\'s own upper layer, owned by its range on the host', async (t) => {
    if (!requireRoot(t)) return;
    await withTempDirs(async (dirs) => {
      // Without --rm the upper layer stays only while the container runs: look from inside.
      const result = await runLayers(dirs, MAP, 'echo data > /etc/new && stat -c %u /etc/new && grep -c " / " /proc/self/mountinfo');
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.split('\n')[0], '0');
      await assert.rejects(lstat(join(top, 'etc', 'new')), { code: 'ENOENT' });
    });
  });

  test('the ID-mapped path copies nothing; the copy path makes one copy per layer, owned by the range', async (t) => {
    if (!requireRoot(t)) return;
    await withTempDirs(async (dirs) => {
      assert.equal((await runLayers(dirs, MAP, 'true')).code, 0);
      assert.deepEqual(await readdir(join(dirs.root, 'storage', 'shifted')).catch(() => []), []);
      // A recorded container keeps its copies until rm (shifted-copies-gc.test.ts covers their removal).
      const rootfs = await ensureHostRootfs();
      const created = await runIsola([...dirs.args, 'create', '--name', 'c', '--rootfs-copy', ...MAP, '--layer', rootfs, '--layer', top, '--', 'true']);
      assert.equal(created.code, 0, created.stderr);
      const started = await runIsola([...dirs.args, 'start', 'c']);
      assert.equal(started.code, 0, started.stderr);
      const copies = (await readdir(join(dirs.root, 'storage', 'shifted'))).filter((n) => /^[0-9a-f]{32}$/.test(n));
      assert.equal(copies.length, 2);
      const owners = await Promise.all(copies.map(async (n) => (await lstat(join(dirs.root, 'storage', 'shifted', n))).uid));
      assert.deepEqual(owners, [RANGE, RANGE]);
      assert.equal((await runIsola([...dirs.args, 'rm', '-f', 'c'])).code, 0);
    });
  });

  test('falls back to the chowned copy, saying so once, when a layer cannot be ID-mapped', async (t) => {
    if (!requireRoot(t)) return;
    // An overlayfs cannot itself be ID-mapped: a layer inside one refuses like an old kernel would.
    const dir = await mkdtemp(join(tmpdir(), 'isola-noidmap-'));
    try {
      for (const sub of ['lower', 'upper', 'work', 'merged']) await mkdir(join(dir, sub));
      await writeFile(join(dir, 'lower', 'file'), 'x\n');
      assert.equal((await runCommand(['mount', '-t', 'overlay', 'overlay', '-o',
        `lowerdir=${join(dir, 'lower')},upperdir=${join(dir, 'upper')},workdir=${join(dir, 'work')}`, join(dir, 'merged')])).code, 0);
      await chmod(dir, 0o755);
      await withTempDirs(async (dirs) => {
        const rootfs = await ensureHostRootfs();
        const run = () => runIsola([...dirs.args, 'run', '--rm', ...MAP, '--layer', rootfs, '--layer', join(dir, 'merged'), '--', 'stat', '-c', '%u', '/file']);
        const first = await run();
        assert.equal(first.code, 0, first.stderr);
        assert.equal(first.stdout, '0\n');
        assert.match(first.stderr, /ID-mapped mounts unavailable: using a chowned copy/);
        const second = await run();
        assert.equal(second.code, 0, second.stderr);
        assert.doesNotMatch(second.stderr, /chowned copy/);
        assert.deepEqual(await leftovers(dirs), []);
      });
    } finally {
      await runCommand(['umount', join(dir, 'merged')]);
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('twelve layers with long paths stack in order, ID-mapped and copied', async (t) => {
    if (!requireRoot(t)) return;
    // More than fit in one 256-byte fsconfig value: the lowers go in one by one.
    const layers: string[] = [];
    for (let i = 0; i < 12; i++) {
      const layer = join(base, `layer-with-a-rather-long-directory-name-${String(i).padStart(2, '0')}`);
      await mkdir(join(layer, 'stack'), { recursive: true });
      await writeFile(join(layer, 'stack', 'top'), `${i}\n`);
      await writeFile(join(layer, 'stack', `only-${i}`), '');
      await chmod(layer, 0o755);
      await chmod(join(layer, 'stack'), 0o755);
      layers.push('--layer', layer);
    }
    const rootfs = await ensureHostRootfs();
    for (const extra of [[], ['--rootfs-copy']]) {
      await withTempDirs(async (dirs) => {
        const result = await runIsola([...dirs.args, 'run', '--rm', ...MAP, ...extra, '--layer', rootfs, ...layers, '--',
          'sh', '-c', 'cat /stack/top; ls /stack | grep -c only-']);
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout, '11\n12\n');
      });
    }
  });

  test('a missing layer fails before anything is made', async (t) => {
    if (!requireRoot(t)) return;
    await withTempDirs(async (dirs) => {
      const result = await runIsola([...dirs.args, 'run', '--rm', ...MAP, '--layer', join(base, 'nope'), '--', 'true']);
      assert.equal(result.code, 125);
      assert.match(result.stderr, /layer directory .*nope does not exist/);
      assert.deepEqual(await leftovers(dirs), []);
    });
  });

  test('a container that fails to start after its overlay was made leaves no mount and no directory', async (t) => {
    if (!requireRoot(t)) return;
    await withTempDirs(async (dirs) => {
      // The init fails at chdir (a file is no working directory), after the overlay and its ID-mapped lowers exist.
      const result = await runLayers(dirs, [...MAP, '-w', '/etc/owned-by-1000'], 'true');
      assert.equal(result.code, 126, result.stderr);
      const failed = await runLayers(dirs, [...MAP, '-v', `${join(base, 'missing')}:/v:idmap`], 'true');
      assert.equal(failed.code, 125);
      assert.deepEqual(await leftovers(dirs), []);
    });
  });
});
