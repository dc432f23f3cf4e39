/**
 * Rootless container root is one of the user's subordinate ids on the host,
 * so a root-owned host file bound in stays out of its reach.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { requireCommand, requireRoot } from '../../helpers/requirements.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';
import { prepareRootless, runRootless } from './rootless-run.ts';

const original = 'owned by host root\n';

describe('rootless container root and host files', () => {
  test('cannot append to a root-owned host file in a bound directory, though it can read it', async (t) => {
    if (!requireRoot(t, 'creates the rootless test user') || !requireCommand(t, 'newuidmap')) return;
    const setup = await prepareRootless();
    const dir = await mkdtemp(join(tmpdir(), 'isola-rootless-file-'));
    try {
      await chmod(dir, 0o755);
      const file = join(dir, 'config');
      await writeFile(file, original, { mode: 0o644 });
      await chmod(file, 0o644);
      // The target exists in the rootfs: its root-owned directories are not writable
      // by a rootless container, so a missing target could not be created.
      const result = await withTempDirs((dirs) => runRootless(setup, dirs, ['--uidmap', '0:200000:65536',
        '--gidmap', '0:200000:65536', '-v', `${dir}:/home/tester`, '--', 'sh', '-c',
        'cat /home/tester/config; echo more >> /home/tester/config || exit 3']), { owner: setup.user });
      assert.equal(result.code, 3, result.stderr);
      assert.equal(result.stdout, original);
      assert.match(result.stderr, /Permission denied/);
      assert.equal(await readFile(file, 'utf8'), original);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
