/**
 * A volume's files owned by a host uid the container's map leaves out show up
 * inside as nobody (the overflow uid, 65534) and get only the "other"
 * permission bits: container root has no power over them.
 */
import assert from 'node:assert/strict';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureHostRootfs } from '../fixtures/host-rootfs.ts';
import { requireRoot } from '../helpers/requirements.ts';
import { runIsola } from '../helpers/run-cli.ts';
import { withTempDirs } from '../helpers/temp-dirs.ts';
import type { CommandResult } from '../helpers/run-command.ts';

const unmappedUid = 4000; // outside 0:100000:65536 on the host side

describe('files of an unmapped host uid', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'isola-nobody-'));
    await chmod(dir, 0o755);
    await mkdir(join(dir, 'vol'), { mode: 0o755 });
    await chmod(join(dir, 'vol'), 0o755);
    for (const [name, mode] of [['private', 0o600], ['shared', 0o666]] as const) {
      await writeFile(join(dir, 'vol', name), `${name}\n`);
      await chmod(join(dir, 'vol', name), mode);
      await chown(join(dir, 'vol', name), unmappedUid, unmappedUid);
    }
  });
  after(() => rm(dir, { recursive: true, force: true }));

  function runInVolume(script: string): Promise<CommandResult> {
    return withTempDirs(async (dirs) => runIsola([...dirs.args, 'run', '--rm', '--rootfs', await ensureHostRootfs(),
      '--uidmap', '0:100000:65536', '--gidmap', '0:100000:65536', '-v', `${join(dir, 'vol')}:/vol`, '--', 'sh', '-c', script]));
  }

  test('are owned by 65534 inside the container', async (t) => {
    if (!requireRoot(t)) return;
    const result = await runInVolume('stat -c %u:%g /vol/private /vol/shared');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '65534:65534\n65534:65534\n');
  });

  test('with mode 0600 cannot be read by container root', async (t) => {
    if (!requireRoot(t)) return;
    const result = await runInVolume('cat /vol/private');
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /Permission denied/);
  });

  test('with mode 0666 can be read by container root', async (t) => {
    if (!requireRoot(t)) return;
    const result = await runInVolume('cat /vol/shared');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'shared\n');
  });
});
