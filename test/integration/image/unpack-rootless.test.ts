/**
 * Rootless unpacking: the layer is unpacked by root inside a user namespace
 * an ordinary user made (`unshare --user --map-root-user`), as the storage
 * code runs it. No CAP_MKNOD over the host (devices are skipped), no trusted.*
 * xattrs (opaque dirs use user.overlay.opaque), and only mapped ids.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chown, lstat, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureRootlessUser, runAsUser, type RootlessUser } from '../../helpers/rootless-user.ts';
import { writeLayer } from '../../../src/image/unpack/layer-fixture.test-helper.ts';
import type { TarWriteItem } from '../../../src/image/index.ts';

const isRoot = process.getuid?.() === 0;
const node = process.execPath;
const child = new URL('./unpack-child.ts', import.meta.url).pathname;
const cap = Buffer.from('0100000200200000000000000000000000000000', 'hex'); // v2: cap_net_raw

async function ensureUser(): Promise<RootlessUser> {
  try {
    return await ensureRootlessUser();
  } catch (err) {
    if (!String(err).includes('already exists')) throw err;
    return ensureRootlessUser(); // another test file created it at the same moment
  }
}

async function unpackAsUser(t: { after(fn: () => Promise<void>): void }, items: TarWriteItem[], whiteouts: string) {
  const user = await ensureUser();
  const dir = await mkdtemp(join(tmpdir(), 'isola-unpack-rootless-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await chown(dir, user.uid, user.gid);
  const blob = await writeLayer(dir, 'layer.tar.gz', items);
  const target = join(dir, 'out');
  const result = await runAsUser(user, ['unshare', '--user', '--map-root-user', node, child, blob, target, whiteouts]);
  assert.equal(result.code, 0, result.stderr);
  return { user, target, output: JSON.parse(result.stdout) as { ok?: Record<string, number>; error?: { code: string } } };
}

const layer: TarWriteItem[] = [
  { entry: { path: 'bin/ping', type: 'file', size: 4, mode: 0o4755, xattrs: new Map([['security.capability', cap]]) }, body: Buffer.from('ping') },
  { entry: { path: 'bin/sh', type: 'symlink', linkPath: 'busybox' } },
  { entry: { path: 'dev/null', type: 'char', devMajor: 1, devMinor: 3, mode: 0o666 } },
  { entry: { path: 'run/fifo', type: 'fifo', mode: 0o600 } },
  { entry: { path: 'etc/.wh.removed', type: 'file', size: 0 } },
  { entry: { path: 'opt/.wh..wh..opq', type: 'file', size: 0 } },
  { entry: { path: 'ro', type: 'directory', mode: 0o555 } },
];

test('root in a user namespace unpacks a layer: devices skipped, whiteouts and userxattr opaque dirs made', { skip: isRoot ? false : 'needs root to create the rootless user' }, async (t) => {
  const { user, target, output } = await unpackAsUser(t, layer, 'overlay-userxattr');
  assert.deepEqual(output.error, undefined);
  assert.equal(output.ok?.['skippedDevices'], 1);
  const ping = await stat(join(target, 'bin/ping'));
  assert.deepEqual([ping.uid, ping.mode & 0o7777], [user.uid, 0o4755]);
  // The kernel stores a namespaced (v3) capability whose root is the namespace's root.
  const stored = execFileSync('getfattr', ['--only-values', '-n', 'security.capability', '-e', 'hex', join(target, 'bin/ping')], { stdio: ['ignore', 'pipe', 'ignore'] });
  assert.equal(stored.readUInt32LE(0) >>> 24, 3, 'a v3 capability');
  assert.equal(stored.readUInt32LE(20), user.uid);
  assert.ok((await lstat(join(target, 'run/fifo'))).isFIFO());
  const whiteout = await lstat(join(target, 'etc/removed'));
  assert.deepEqual([whiteout.isCharacterDevice(), whiteout.rdev], [true, 0]);
  assert.equal(execFileSync('getfattr', ['--only-values', '-n', 'user.overlay.opaque', join(target, 'opt')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }), 'y');
  assert.deepEqual(await readdir(join(target, 'dev')), []);
  assert.equal((await stat(join(target, 'ro'))).mode & 0o777, 0o555);
});

test("whiteouts 'overlay' in a user namespace fails with ISOLA_LAYER_XATTR_REFUSED and leaves nothing", { skip: isRoot ? false : 'needs root to create the rootless user' }, async (t) => {
  const { target, output } = await unpackAsUser(t, layer, 'overlay');
  assert.equal(output.error?.code, 'ISOLA_LAYER_XATTR_REFUSED');
  await assert.rejects(lstat(target), { code: 'ENOENT' });
});

test('a file owned by an id the user namespace does not map fails with ISOLA_LAYER_ID_UNMAPPED', { skip: isRoot ? false : 'needs root to create the rootless user' }, async (t) => {
  const { target, output } = await unpackAsUser(t, [{ entry: { path: 'home/user/file', type: 'file', size: 0, uid: 1000, gid: 1000 } }], 'overlay-userxattr');
  assert.equal(output.error?.code, 'ISOLA_LAYER_ID_UNMAPPED');
  await assert.rejects(lstat(target), { code: 'ENOENT' });
});
