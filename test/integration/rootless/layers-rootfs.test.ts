/**
 * `isola run --layer ...` as an ordinary user: the layers cannot be ID-mapped
 * (only filesystems the user's own namespace mounted can), so they are copied
 * with shifted owners inside a user namespace holding the user's subordinate
 * ids, and the init mounts the overlay in the container's namespace with
 * userxattr. Layer ids are as the user's namespace sees them: the user's own
 * files are 0, subordinate id 200000+N is N+1 (podman's rootless namespace).
 */
import assert from 'node:assert/strict';
import { chmod, chown, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { rootlessSubordinateRange as subRange } from '../../helpers/rootless-user.ts';
import { requireCommand, requireRoot } from '../../helpers/requirements.ts';
import { runIsola } from '../../helpers/run-cli.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';
import { prepareRootless, type RootlessSetup } from './rootless-run.ts';

describe('rootless rootfs from layers', () => {
  let base = '';
  let setup: RootlessSetup | undefined;
  before(async () => {
    if (process.getuid?.() !== 0) return;
    setup = await prepareRootless();
    base = await mkdtemp(join(tmpdir(), 'isola-rootless-layers-'));
    await chmod(base, 0o755);
    const top = join(base, 'top');
    await mkdir(join(top, 'etc'), { recursive: true });
    await writeFile(join(top, 'etc', 'by-user'), 'user\n');
    await writeFile(join(top, 'etc', 'by-subid'), 'subid\n', { mode: 0o600 });
    for (const path of [top, join(top, 'etc'), join(top, 'etc', 'by-user')]) await chown(path, setup.user.uid, setup.user.gid);
    await chown(join(top, 'etc', 'by-subid'), subRange.start + 1000, subRange.start + 1000);
  });
  after(() => (base === '' ? undefined : rm(base, { recursive: true, force: true })));

  test('shows the layers\' owners inside, takes writes, and leaves no container files', async (t) => {
    if (!requireRoot(t, 'creates the rootless test user') || !requireCommand(t, 'newuidmap')) return;
    await withTempDirs(async (dirs) => {
      const result = await runIsola([...dirs.args, 'run', '--rm', '--layer', setup!.rootfs, '--layer', join(base, 'top'), '--',
        'sh', '-c', 'stat -c %u /etc/by-user /etc/by-subid; cat /etc/by-user; touch /new && stat -c %u /new'], { user: setup!.user });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, '0\n1001\nuser\n0\n');
      assert.deepEqual(await readdir(join(dirs.root, 'storage', 'containers')), []);
      assert.deepEqual(await readdir(join(dirs.runroot, 'containers')).catch(() => []), []);
      // The copies belong to subordinate ids: removed inside the user's namespace when the run ends.
      assert.deepEqual(await readdir(join(dirs.root, 'storage', 'shifted')), []);
      for (const start of [subRange.start, subRange.start + 1000]) {
        const map = `0:${start}:1000`;
        const again = await runIsola([...dirs.args, 'run', '--rm', '--uidmap', map, '--gidmap', map, '--layer', setup!.rootfs,
          '--layer', join(base, 'top'), '--', 'stat', '-c', '%u', '/etc/by-user'], { user: setup!.user });
        assert.equal(again.stdout, '0\n', again.stderr);
        assert.deepEqual(await readdir(join(dirs.root, 'storage', 'shifted')), []);
      }
    }, { owner: setup!.user });
  });

  test(':idmap volumes are refused with a pointer to :U', async (t) => {
    if (!requireRoot(t, 'creates the rootless test user') || !requireCommand(t, 'newuidmap')) return;
    await withTempDirs(async (dirs) => {
      const result = await runIsola([...dirs.args, 'run', '--rm', '--layer', setup!.rootfs, '-v', `${base}:/v:idmap`, '--', 'true'],
        { user: setup!.user });
      assert.equal(result.code, 125);
      assert.match(result.stderr, /no idmap when rootless/);
      assert.deepEqual(await readdir(join(dirs.root, 'storage', 'containers')).catch(() => []), []);
    }, { owner: setup!.user });
  });
});
