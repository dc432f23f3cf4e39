import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { MAX_SYMLINKS, readFileInRoot, resolveInRoot } from './safe-rootfs-path.ts';

const HOST_SECRET = 'HOST SECRET: must never be read\n';

describe('resolveInRoot and readFileInRoot with a hostile rootfs', () => {
  let base: string;
  let rootfs: string;
  let hostSecret: string;

  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'isola-safe-path-'));
    rootfs = join(base, 'rootfs');
    hostSecret = join(base, 'host-secret');
    await writeFile(hostSecret, HOST_SECRET);
    await mkdir(join(rootfs, 'etc'), { recursive: true });
    await writeFile(join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  });
  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  async function makeRoot(name: string): Promise<string> {
    const dir = join(base, name);
    await mkdir(join(dir, 'etc'), { recursive: true });
    return dir;
  }

  it('reads a plain file inside the rootfs', async () => {
    assert.equal(await readFileInRoot(rootfs, '/etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    assert.equal(await resolveInRoot(rootfs, 'etc/./passwd'), join(rootfs, 'etc', 'passwd'));
  });

  it('keeps .. in the requested path from climbing above the rootfs', async () => {
    assert.equal(await resolveInRoot(rootfs, '/../../../../etc/passwd'), join(rootfs, 'etc', 'passwd'));
  });

  it('resolves an absolute symlink to a host file inside the rootfs instead', async () => {
    const root = await makeRoot('absolute');
    await symlink(hostSecret, join(root, 'etc', 'passwd'));
    assert.equal(await readFileInRoot(root, '/etc/passwd'), undefined);
    // The same path inside the rootfs is what gets read when it exists.
    await mkdir(join(root, base), { recursive: true });
    await writeFile(join(root, hostSecret), 'image copy\n');
    assert.equal(await readFileInRoot(root, '/etc/passwd'), 'image copy\n');
  });

  it('resolves a symlink to /etc/passwd to the image file, not the host one', async () => {
    const root = await makeRoot('etc-link');
    await mkdir(join(root, 'real'), { recursive: true });
    await writeFile(join(root, 'real', 'passwd'), 'image\n');
    await rm(join(root, 'etc'), { recursive: true });
    await symlink('/real', join(root, 'etc'));
    assert.equal(await readFileInRoot(root, '/etc/passwd'), 'image\n');
  });

  it('stops a ../../.. chain in a symlink at the rootfs', async () => {
    const root = await makeRoot('dotdot');
    const climb = `${'../'.repeat(30)}${hostSecret.slice(1)}`;
    await symlink(climb, join(root, 'etc', 'passwd'));
    assert.equal(await readFileInRoot(root, '/etc/passwd'), undefined);
    await assert.rejects(resolveInRoot(root, '/etc/passwd'), { code: 'ISOLA_SPEC_PATH_NOT_FOUND' });
    await mkdir(join(root, base), { recursive: true });
    assert.equal(await resolveInRoot(root, '/etc/passwd'), join(root, hostSecret));
  });

  it('stops a directory symlink to .. repeated from leaving the rootfs', async () => {
    const root = await makeRoot('dir-dotdot');
    await symlink('../../../../../../..', join(root, 'etc', 'up'));
    const relative = hostSecret.slice(1);
    assert.equal(await readFileInRoot(root, `/etc/up/${relative}`), undefined);
    await mkdir(join(root, base), { recursive: true });
    await writeFile(join(root, relative), 'image copy\n');
    assert.equal(await readFileInRoot(root, `/etc/up/${relative}`), 'image copy\n');
  });

  it('reports a symlink loop instead of following it forever', async () => {
    const root = await makeRoot('loop');
    await symlink('b', join(root, 'etc', 'a'));
    await symlink('a', join(root, 'etc', 'b'));
    await assert.rejects(readFileInRoot(root, '/etc/a'), { code: 'ISOLA_SPEC_PATH_LOOP' });
    await symlink('/etc/self', join(root, 'etc', 'self'));
    await assert.rejects(resolveInRoot(root, '/etc/self/passwd'), { code: 'ISOLA_SPEC_PATH_LOOP' });
  });

  it('follows exactly the kernel limit of symlinks and no more', async () => {
    const root = await makeRoot('chain');
    await writeFile(join(root, 'etc', 'target'), 'end\n');
    await symlink('target', join(root, 'etc', 'l0'));
    for (let index = 1; index <= MAX_SYMLINKS; index += 1) {
      await symlink(`l${index - 1}`, join(root, 'etc', `l${index}`));
    }
    assert.equal(await readFileInRoot(root, `/etc/l${MAX_SYMLINKS - 1}`), 'end\n');
    await assert.rejects(readFileInRoot(root, `/etc/l${MAX_SYMLINKS}`), { code: 'ISOLA_SPEC_PATH_LOOP' });
  });

  it('returns the path of a missing last component but rejects a missing directory', async () => {
    assert.equal(await resolveInRoot(rootfs, '/etc/group'), join(rootfs, 'etc', 'group'));
    assert.equal(await readFileInRoot(rootfs, '/etc/group'), undefined);
    await assert.rejects(resolveInRoot(rootfs, '/nope/passwd'), { code: 'ISOLA_SPEC_PATH_NOT_FOUND' });
    assert.equal(await readFileInRoot(rootfs, '/nope/passwd'), undefined);
  });

  it('rejects a file used as a directory', async () => {
    await assert.rejects(resolveInRoot(rootfs, '/etc/passwd/x'), { code: 'ISOLA_SPEC_PATH_NOT_DIRECTORY' });
  });

  it('refuses a directory or a FIFO where a file is expected, without blocking', async () => {
    const root = await makeRoot('fifo');
    await assert.rejects(readFileInRoot(root, '/etc'), { code: 'ISOLA_SPEC_FILE_NOT_REGULAR' });
    await promisify(execFile)('mkfifo', [join(root, 'etc', 'passwd')]);
    await assert.rejects(readFileInRoot(root, '/etc/passwd'), { code: 'ISOLA_SPEC_FILE_NOT_REGULAR' });
  });

  it('reads through a rootfs path that is itself a symlink', async () => {
    const alias = join(base, 'alias');
    await symlink(rootfs, alias);
    assert.equal(await readFileInRoot(alias, '/etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  });

  it('refuses a file above the size limit', async () => {
    await assert.rejects(readFileInRoot(rootfs, '/etc/passwd', { maxBytes: 4 }), { code: 'ISOLA_SPEC_FILE_TOO_LARGE' });
  });
});
