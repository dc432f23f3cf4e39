import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseGroup, parsePasswd } from './passwd.ts';
import { resolveUser } from './resolve-user.ts';

const PASSWD = `root:x:0:0:root:/root:/bin/sh
# a comment line
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
app:x:1000:1000:App:/home/app:/bin/sh
broken:x:abc:0::/:/bin/sh
nohome:x:1001:1001::
`;

const GROUP = `root:x:0:root
bin:x:1:root,bin,daemon
wheel:x:10:root
app:x:1000:
staff:x:50:app, other
video:x:44:app
`;

describe('parsePasswd and parseGroup', () => {
  it('skip comments and lines whose ids are not numbers', () => {
    const names = parsePasswd(PASSWD).map((entry) => entry.name);
    assert.deepEqual(names, ['root', 'daemon', 'app', 'nohome']);
  });

  it('split group members and trim them', () => {
    assert.deepEqual(parseGroup(GROUP).find((g) => g.name === 'staff'), { name: 'staff', gid: 50, members: ['app', 'other'] });
  });
});

describe('resolveUser', () => {
  let base: string;
  let rootfs: string;
  let emptyRootfs: string;

  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'isola-user-'));
    rootfs = join(base, 'rootfs');
    emptyRootfs = join(base, 'empty');
    await mkdir(join(rootfs, 'etc'), { recursive: true });
    await mkdir(emptyRootfs);
    await writeFile(join(rootfs, 'etc', 'passwd'), PASSWD);
    await writeFile(join(rootfs, 'etc', 'group'), GROUP);
  });
  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('gives root with root\'s groups from the image when no user is asked', async () => {
    assert.deepEqual(await resolveUser(rootfs, undefined), { uid: 0, gid: 0, additionalGids: [0, 1, 10], home: '/root' });
  });

  it('looks a name up and adds the groups that list it as a member', async () => {
    assert.deepEqual(await resolveUser(rootfs, 'app'), { uid: 1000, gid: 1000, additionalGids: [50, 44], home: '/home/app' });
  });

  it('takes the passwd entry of a numeric uid when there is one', async () => {
    assert.deepEqual(await resolveUser(rootfs, '1000'), { uid: 1000, gid: 1000, additionalGids: [50, 44], home: '/home/app' });
  });

  it('uses a numeric uid without an entry as is, with gid 0 and no home', async () => {
    assert.deepEqual(await resolveUser(rootfs, '4242'), { uid: 4242, gid: 0, additionalGids: [], home: undefined });
  });

  it('replaces the primary group and adds no supplementary groups with user:group', async () => {
    assert.deepEqual(await resolveUser(rootfs, 'app:wheel'), { uid: 1000, gid: 10, additionalGids: [], home: '/home/app' });
    assert.deepEqual(await resolveUser(rootfs, '1000:4000'), { uid: 1000, gid: 4000, additionalGids: [], home: '/home/app' });
    assert.deepEqual(await resolveUser(rootfs, '7:staff'), { uid: 7, gid: 50, additionalGids: [], home: undefined });
  });

  it('accepts numeric ids when the image has no /etc/passwd or /etc/group', async () => {
    assert.deepEqual(await resolveUser(emptyRootfs, '1000:1000'), { uid: 1000, gid: 1000, additionalGids: [], home: undefined });
    assert.deepEqual(await resolveUser(emptyRootfs, undefined), { uid: 0, gid: 0, additionalGids: [], home: undefined });
  });

  it('leaves home undefined for an entry with an empty home field', async () => {
    assert.equal((await resolveUser(rootfs, 'nohome')).home, undefined);
  });

  it('fails with ISOLA_SPEC_USER_NOT_FOUND for an unknown name, naming the file', async () => {
    await assert.rejects(resolveUser(rootfs, 'mallory'), (error: Error & { code?: string; path?: string; hint?: string }) => {
      assert.equal(error.code, 'ISOLA_SPEC_USER_NOT_FOUND');
      assert.equal(error.path, '/etc/passwd');
      assert.match(error.message, /mallory/);
      assert.match(error.hint ?? '', /numeric/);
      return true;
    });
    await assert.rejects(resolveUser(emptyRootfs, 'app'), { code: 'ISOLA_SPEC_USER_NOT_FOUND' });
  });

  it('does not match a name against a line whose uid is malformed', async () => {
    await assert.rejects(resolveUser(rootfs, 'broken'), { code: 'ISOLA_SPEC_USER_NOT_FOUND' });
  });

  it('fails with ISOLA_SPEC_GROUP_NOT_FOUND for an unknown group name', async () => {
    await assert.rejects(resolveUser(rootfs, 'app:nogroup'), { code: 'ISOLA_SPEC_GROUP_NOT_FOUND', path: '/etc/group' });
    await assert.rejects(resolveUser(emptyRootfs, '0:staff'), { code: 'ISOLA_SPEC_GROUP_NOT_FOUND' });
  });

  it('rejects malformed specs and ids out of range', async () => {
    for (const spec of ['a:b:c', ':1', '1:', '-1', '2147483648', '0:4294967295']) {
      await assert.rejects(resolveUser(rootfs, spec), { code: 'ISOLA_INVALID_OPTION' }, spec);
    }
  });

  it('never reads the host passwd through a symlinked /etc/passwd', async () => {
    const hostile = join(base, 'hostile');
    await mkdir(join(hostile, 'etc'), { recursive: true });
    // Inside the rootfs, /etc/passwd -> /etc/passwd points at itself: a loop, not the host file.
    await symlink('/etc/passwd', join(hostile, 'etc', 'passwd'));
    await assert.rejects(resolveUser(hostile, 'root'), { code: 'ISOLA_SPEC_PATH_LOOP' });
    await rm(join(hostile, 'etc', 'passwd'));
    await symlink('../../../../../../../../etc/passwd', join(hostile, 'etc', 'passwd'));
    await assert.rejects(resolveUser(hostile, 'root'), { code: 'ISOLA_SPEC_PATH_LOOP' });
  });
});
