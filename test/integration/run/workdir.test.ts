/**
 * A working directory the rootfs lacks is made, as docker makes it
 * (`-w /does/not/exist`; podman only for an image's WorkingDir missing from its layers):
 * owned by the process's user, in a --rootfs directory (it stays there, as
 * with podman), on an image's overlay (its upper directory), under a mount,
 * with --read-only (made before the rootfs turns read-only, as podman and
 * runc do), rootless, and never outside the rootfs through a symlink.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chmod, lstat, mkdir, mkdtemp, readdir, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUSYBOX, buildBusyboxImage } from '../../fixtures/busybox-image.ts';
import { assertNothingLeft, isolaIn, type Isola } from '../../helpers/detached.ts';
import { requireCommand, requireRoot } from '../../helpers/requirements.ts';
import { ensureRootlessUser, type RootlessUser } from '../../helpers/rootless-user.ts';
import { runIsola } from '../../helpers/run-cli.ts';
import { runCommand, type CommandResult } from '../../helpers/run-command.ts';
import { withTempDirs, type TempDirs } from '../../helpers/temp-dirs.ts';
import { MAP } from './run-in-container.ts';

const APPLETS = ['sh', 'pwd', 'stat', 'touch', 'ls', 'cat', 'sleep'];
const IMAGE = 'docker.io/library/workdir:1';

let work = '';
let archive = '';

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'isola-workdir-'));
  await chmod(work, 0o755);
  const layout = join(work, 'layout');
  await buildBusyboxImage(layout, { runConfig: { Env: ['PATH=/bin'], Cmd: ['sh', '-c', 'pwd; stat -c %u:%g .'], WorkingDir: '/srv/app' } });
  archive = join(work, 'image.tar');
  const tar = await runCommand(['tar', '-C', layout, '-cf', archive, '.']);
  assert.equal(tar.code, 0, tar.stderr);
  await chmod(archive, 0o644);
});

after(async () => {
  if (work !== '') await rm(work, { recursive: true, force: true });
});

/** A busybox rootfs of its own (the shared fixture must not change), with /tmp open to all. */
async function busyboxRootfs(dir: string, owner?: RootlessUser): Promise<string> {
  const rootfs = join(dir, 'rootfs');
  for (const sub of ['', 'bin', 'etc', 'tmp']) await mkdir(join(rootfs, sub), { recursive: true });
  await chmod(rootfs, 0o755);
  await chmod(join(rootfs, 'tmp'), 0o1777);
  const copy = await runCommand(['cp', BUSYBOX, join(rootfs, 'bin', 'busybox')]);
  assert.equal(copy.code, 0, copy.stderr);
  for (const applet of APPLETS) await symlink('busybox', join(rootfs, 'bin', applet));
  if (owner !== undefined) {
    const chowned = await runCommand(['chown', '-R', `${owner.uid}:${owner.gid}`, rootfs]);
    assert.equal(chowned.code, 0, chowned.stderr);
  }
  return rootfs;
}

function run(dirs: TempDirs, rootfs: string, flags: readonly string[], script: string, user?: RootlessUser): Promise<CommandResult> {
  return runIsola([...dirs.args, 'run', '--rm', '--rootfs', rootfs, ...(user === undefined ? MAP : []), ...flags, '--', 'sh', '-c', script],
    { user, env: { PATH: '/bin' } });
}

async function owner(path: string): Promise<string> {
  const info = await stat(path);
  return `${info.uid}:${info.gid}`;
}

const exists = (path: string): Promise<boolean> => lstat(path).then(() => true, () => false);

/** isolaIn for the rootless user. */
function isolaAs(dirs: TempDirs, user: RootlessUser): Isola {
  const call = (...args: string[]): Promise<CommandResult> => runIsola([...dirs.args, ...args], { user, timeoutMs: 120_000 });
  return Object.assign(call, {
    ok: async (...args: string[]): Promise<string> => {
      const result = await call(...args);
      assert.equal(result.code, 0, `isola ${args.join(' ')}: ${result.stderr}`);
      return result.stdout;
    },
  });
}

async function loadImage(isola: Isola): Promise<void> {
  const id = /Loaded image: (\w+)/.exec(await isola.ok('load', '-i', archive))?.[1];
  assert.ok(id !== undefined);
  await isola.ok('tag', id, 'workdir:1');
}

test('-w with a missing directory makes it in the --rootfs directory, owned by the process user\'s host ids', async (t) => {
  if (!requireRoot(t, 'runs a container')) return;
  await withTempDirs(async (dirs) => {
    const rootfs = await busyboxRootfs(dirs.base);
    const r = await run(dirs, rootfs, ['-w', '/does/not/exist'], 'pwd; stat -c %u:%g .');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), ['/does/not/exist', '0:0']);
    // In the user's directory, as podman leaves it; the map puts container root at 100000.
    assert.equal(await owner(join(rootfs, 'does', 'not', 'exist')), '100000:100000');
    const user = await run(dirs, rootfs, ['-u', '1000:1000', '-w', '/does/not/exist/either'], 'pwd; stat -c %u:%g .; touch mine');
    assert.equal(user.code, 0, user.stderr);
    assert.deepEqual(user.stdout.trim().split('\n'), ['/does/not/exist/either', '1000:1000']);
    assert.equal(await owner(join(rootfs, 'does', 'not', 'exist', 'either', 'mine')), '101000:101000');
    // An existing directory keeps its owner.
    const existing = await run(dirs, rootfs, ['-u', '1000:1000', '-w', '/tmp'], 'stat -c %u:%g .');
    assert.equal(existing.stdout.trim(), '65534:65534', existing.stderr);
  });
});

test('a missing -w under a mount is made in that mount, after it is mounted', async (t) => {
  if (!requireRoot(t, 'runs a container')) return;
  await withTempDirs(async (dirs) => {
    const rootfs = await busyboxRootfs(dirs.base);
    const r = await run(dirs, rootfs, ['--tmpfs', '/scratch', '-u', '1000:1000', '-w', '/scratch/deep/er'], 'pwd; stat -c %u:%g .; stat -f -c %T .');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), ['/scratch/deep/er', '1000:1000', 'tmpfs']);
    assert.deepEqual(await readdir(join(rootfs, 'scratch')), []);
  });
});

test('--read-only still gets its missing -w, made before the rootfs turns read-only', async (t) => {
  if (!requireRoot(t, 'runs a container')) return;
  await withTempDirs(async (dirs) => {
    const rootfs = await busyboxRootfs(dirs.base);
    const r = await run(dirs, rootfs, ['--read-only', '-w', '/ro/made'], 'pwd; touch here 2>/dev/null && echo writable || echo read-only');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), ['/ro/made', 'read-only']);
    assert.ok(await exists(join(rootfs, 'ro', 'made')));
  });
});

/**
 * `esc` points at a host directory anyone may write (an escape would succeed),
 * `up` climbs far above the rootfs: both are followed inside the rootfs only.
 */
async function escapeLinks(dir: string, outside: string): Promise<void> {
  await symlink(outside, join(dir, 'esc'));
  await symlink('../../../../../../../../..', join(dir, 'up'));
}

async function assertEscapesStayInside(dirs: TempDirs, rootfs: string, prefix: string, flags: readonly string[]): Promise<void> {
  const outside = join(dirs.base, 'outside');
  const dangling = await run(dirs, rootfs, [...flags, '-w', `${prefix}/esc/sub`], 'pwd');
  // Before clone the link might lead into a mount to come, so chdir decides; after the mounts it is final.
  assert.equal(dangling.code, prefix === '' ? 126 : 125, dangling.stderr);
  assert.match(dangling.stderr, prefix === '' ? /chdir failed for .*ENOENT/ : /make-cwd failed for .*ENOENT/);
  const climbing = await run(dirs, rootfs, [...flags, '-w', `${prefix}/up${outside}/made`], 'pwd');
  assert.equal(climbing.code, 0, climbing.stderr);
  assert.equal(climbing.stdout.trim(), `${outside}/made`);
  assert.ok(await exists(join(rootfs, outside, 'made')), 'made where the link leads inside the rootfs');
  assert.deepEqual(await readdir(outside), []);
}

test('-w through a symlink that leads out of the rootfs never makes anything outside it', async (t) => {
  if (!requireRoot(t, 'runs a container')) return;
  await withTempDirs(async (dirs) => {
    const rootfs = await busyboxRootfs(dirs.base);
    const outside = join(dirs.base, 'outside');
    await mkdir(outside, { mode: 0o777 });
    await chmod(outside, 0o777);
    await escapeLinks(rootfs, outside);
    // Made by the shim before clone, as the caller (host root).
    await assertEscapesStayInside(dirs, rootfs, '', []);
    // Made by the init in the container, under a volume holding the links.
    await rm(join(rootfs, dirs.base), { recursive: true, force: true });
    const volume = join(dirs.base, 'volume');
    await mkdir(volume, { mode: 0o777 });
    await chmod(volume, 0o777);
    await escapeLinks(volume, outside);
    await assertEscapesStayInside(dirs, rootfs, '/vol', ['-v', `${volume}:/vol`]);
    assert.deepEqual((await readdir(volume)).sort(), ['esc', 'up']);
  });
});

test('-w through a symlink into a volume finds the directory the volume brings, as with podman', async (t) => {
  if (!requireRoot(t, 'runs a container')) return;
  await withTempDirs(async (dirs) => {
    const rootfs = await busyboxRootfs(dirs.base);
    const volume = join(dirs.base, 'volume');
    await mkdir(join(volume, 'test'), { recursive: true });
    await symlink('/vol/test', join(rootfs, 'link'));
    const r = await run(dirs, rootfs, ['-v', `${volume}:/vol`, '-w', '/link'], 'pwd -P');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), '/vol/test');
    assert.equal(await exists(join(rootfs, 'vol', 'test')), false);
  });
});

test('an image\'s WorkingDir missing from its layers is made on its ID-mapped overlay, with run, run -d, create and --read-only', async (t) => {
  if (!requireRoot(t, 'runs a container')) return;
  await withTempDirs(async (dirs) => {
    const isola = isolaIn(dirs);
    await loadImage(isola);
    assert.equal(await isola.ok('run', '--rm', IMAGE), '/srv/app\n0:0\n');
    assert.equal(await isola.ok('run', '--rm', '-u', '65534:65534', '--read-only', IMAGE), '/srv/app\n65534:65534\n');
    assert.equal(await isola.ok('run', '--rm', '-w', '/new/dir', IMAGE), '/new/dir\n0:0\n');
    const detached = (await isola.ok('run', '-d', IMAGE)).trim();
    assert.equal((await isola.ok('wait', detached)).trim(), '0');
    assert.equal(await isola.ok('logs', detached), '/srv/app\n0:0\n');
    const created = (await isola.ok('create', '-u', '65534:65534', '-w', '/made/at/start', IMAGE)).trim();
    await isola.ok('start', created);
    assert.equal((await isola.ok('wait', created)).trim(), '0');
    assert.equal(await isola.ok('logs', created), '/made/at/start\n65534:65534\n');
    // A second start finds it in the kept upper directory.
    await isola.ok('start', created);
    assert.equal((await isola.ok('wait', created)).trim(), '0');
    await isola.ok('rm', detached, created);
    await assertNothingLeft(isola, dirs, [detached, created]);
  });
});

test('rootless: a missing -w is made in the user\'s --rootfs directory and on an image\'s overlay', async (t) => {
  if (!requireRoot(t, 'creates the rootless test user') || !requireCommand(t, 'newuidmap')) return;
  const user = await ensureRootlessUser().catch(() => ensureRootlessUser());
  await withTempDirs(async (dirs) => {
    const rootfs = await busyboxRootfs(dirs.base, user);
    const r = await run(dirs, rootfs, ['-w', '/does/not/exist'], 'pwd', user);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), '/does/not/exist');
    // The caller made it and cannot give it to its subordinate ids: it stays the caller's.
    assert.equal(await owner(join(rootfs, 'does', 'not', 'exist')), `${user.uid}:${user.gid}`);
    const asUser = isolaAs(dirs, user);
    await loadImage(asUser);
    assert.equal(await asUser.ok('run', '--rm', '-u', '65534:65534', IMAGE), '/srv/app\n65534:65534\n');
  }, { owner: user });
});
