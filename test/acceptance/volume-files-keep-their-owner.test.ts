/**
 * The volume story: a container whose range starts at 500000 sees a host
 * file owned by 501000 as its own uid 1000's, so uid 1000 inside reads it
 * even at mode 0600; a root-owned 0600 file stays closed to it (host root is
 * nobody inside), and a root-owned 0666 file is open to everyone.
 */
import assert from 'node:assert/strict';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureHostRootfs } from '../fixtures/host-rootfs.ts';
import { requireRoot } from '../helpers/requirements.ts';
import { runIsola } from '../helpers/run-cli.ts';
import type { CommandResult } from '../helpers/run-command.ts';
import { withTempDirs } from '../helpers/temp-dirs.ts';

describe('volume files keep their owner', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'isola-owner-'));
    await chmod(dir, 0o755);
    await mkdir(join(dir, 'vol'), { mode: 0o755 });
    await chmod(join(dir, 'vol'), 0o755);
    for (const [name, uid, mode] of [['users-file', 501000, 0o600], ['root-private', 0, 0o600], ['root-shared', 0, 0o666]] as const) {
      await writeFile(join(dir, 'vol', name), `${name}\n`);
      await chown(join(dir, 'vol', name), uid, uid);
      await chmod(join(dir, 'vol', name), mode);
    }
  });
  after(() => rm(dir, { recursive: true, force: true }));

  function readAsUser1000(file: string): Promise<CommandResult> {
    return withTempDirs(async (dirs) => runIsola([...dirs.args, 'run', '--rm', '--rootfs', await ensureHostRootfs(),
      '--uidmap', '0:500000:65536', '--gidmap', '0:500000:65536', '-u', '1000:1000', '-v', `${join(dir, 'vol')}:/vol`,
      '--', 'cat', `/vol/${file}`]));
  }

  test('a host file owned by 501000 with mode 0600 is readable by uid 1000 inside', async (t) => {
    if (!requireRoot(t)) return;
    const result = await readAsUser1000('users-file');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'users-file\n');
  });

  test('a root-owned file with mode 0600 is not', async (t) => {
    if (!requireRoot(t)) return;
    const result = await readAsUser1000('root-private');
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /Permission denied/);
  });

  test('a root-owned file with mode 0666 is', async (t) => {
    if (!requireRoot(t)) return;
    const result = await readAsUser1000('root-shared');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'root-shared\n');
  });
});
