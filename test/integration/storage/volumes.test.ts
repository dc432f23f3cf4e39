/**
 * Volumes as root: `:idmap` shows the caller's files as the container root's,
 * `idmap=uids=...` applies the given maps, `:U` chowns the source into the
 * container's range, and `-v NAME:/path` makes a named volume on first use,
 * owned by the container's root; `isola volume` lists, inspects and removes it.
 */
import assert from 'node:assert/strict';
import { chmod, lstat, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { requireRoot } from '../../helpers/requirements.ts';
import { runIsola } from '../../helpers/run-cli.ts';
import type { CommandResult } from '../../helpers/run-command.ts';
import { withTempDirs, type TempDirs } from '../../helpers/temp-dirs.ts';

const MAP = ['--uidmap', '0:710000:65536', '--gidmap', '0:710000:65536'];
let base = '';

async function run(dirs: TempDirs, volume: string, script: string, extra: readonly string[] = MAP): Promise<CommandResult> {
  return runIsola([...dirs.args, 'run', '--rm', ...extra, '--rootfs', await ensureHostRootfs(), '-v', volume, '--', 'sh', '-c', script]);
}

async function volumeDir(name: string): Promise<string> {
  const dir = join(base, name);
  await mkdir(dir, { mode: 0o755 });
  await chmod(dir, 0o755);
  await writeFile(join(dir, 'private'), 'root only\n', { mode: 0o600 });
  return dir;
}

describe('volumes', () => {
  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'isola-volumes-'));
    await chmod(base, 0o755);
  });
  after(() => rm(base, { recursive: true, force: true }));

  test(':idmap shows files the caller owns as owned by container root, and its writes as the caller\'s', async (t) => {
    if (!requireRoot(t)) return;
    const dir = await volumeDir('idmap');
    await withTempDirs(async (dirs) => {
      const result = await run(dirs, `${dir}:/v:idmap`, 'stat -c %u:%g /v/private; cat /v/private; echo hi > /v/new');
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, '0:0\nroot only\n');
      assert.equal((await lstat(join(dir, 'new'))).uid, 0);
    });
  });

  test('idmap=uids=...;gids=... maps disk ids through the given ranges', async (t) => {
    if (!requireRoot(t)) return;
    const dir = await volumeDir('custom');
    await withTempDirs(async (dirs) => {
      // disk 0 -> host 711000 -> container 1000.
      const result = await run(dirs, `${dir}:/v:idmap=uids=0-711000-1;gids=0-711000-1`, 'stat -c %u:%g /v/private');
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, '1000:1000\n');
    });
  });

  test(':U chowns the source into the container\'s range', async (t) => {
    if (!requireRoot(t)) return;
    const dir = await volumeDir('chowned');
    await withTempDirs(async (dirs) => {
      const result = await run(dirs, `${dir}:/v:U`, 'stat -c %u /v/private; cat /v/private');
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, '0\nroot only\n');
      assert.equal((await lstat(join(dir, 'private'))).uid, 710000);
    });
  });

  test('a named volume is made on first use, owned by container root, and kept for the next container', async (t) => {
    if (!requireRoot(t)) return;
    await withTempDirs(async (dirs) => {
      const first = await run(dirs, 'data:/data', 'stat -c %u /data; echo kept > /data/file');
      assert.equal(first.code, 0, first.stderr);
      assert.equal(first.stdout, '0\n');
      const second = await run(dirs, 'data:/data', 'cat /data/file');
      assert.equal(second.stdout, 'kept\n', second.stderr);
      const listed = await runIsola([...dirs.args, 'volume', 'ls', '--format', 'json']);
      assert.deepEqual((JSON.parse(listed.stdout) as { Name: string }[]).map((v) => v.Name), ['data']);
      const inspected = JSON.parse((await runIsola([...dirs.args, 'volume', 'inspect', 'data'])).stdout) as { Mountpoint: string }[];
      assert.equal((await lstat(inspected[0]!.Mountpoint)).uid, 710000);
      assert.equal((await runIsola([...dirs.args, 'volume', 'rm', 'data'])).code, 0);
      await assert.rejects(lstat(inspected[0]!.Mountpoint), { code: 'ENOENT' });
    });
  });

  test('volume create refuses a name twice and a bad name, and rm an unknown one', async (t) => {
    if (!requireRoot(t)) return;
    await withTempDirs(async (dirs) => {
      assert.equal((await runIsola([...dirs.args, 'volume', 'create', 'v1'])).code, 0);
      const again = await runIsola([...dirs.args, 'volume', 'create', 'v1']);
      assert.equal(again.code, 125);
      assert.match(again.stderr, /volume v1 already exists/);
      assert.equal((await runIsola([...dirs.args, 'volume', 'create', '../x'])).code, 125);
      assert.equal((await runIsola([...dirs.args, 'volume', 'rm', 'nope'])).code, 125);
    });
  });

  test('a volume create-d volume goes to the first container that mounts it while empty, as podman gives it', async (t) => {
    if (!requireRoot(t)) return;
    await withTempDirs(async (dirs) => {
      assert.equal((await runIsola([...dirs.args, 'volume', 'create', 'made'])).code, 0);
      const mountpoint = (JSON.parse((await runIsola([...dirs.args, 'volume', 'inspect', 'made'])).stdout) as { Mountpoint: string }[])[0]!.Mountpoint;
      assert.equal((await lstat(mountpoint)).uid, 0, 'the caller\'s until a container mounts it');
      const first = await run(dirs, 'made:/data', 'echo one > /data/f && cat /data/f');
      assert.equal(first.code, 0, first.stderr);
      assert.equal((await lstat(mountpoint)).uid, 710000);
      // Once only: a later container in another range does not take it over.
      const later = await run(dirs, 'made:/data', 'cat /data/f', ['--uidmap', '0:810000:65536', '--gidmap', '0:810000:65536']);
      assert.equal(later.stdout, 'one\n');
      assert.equal((await lstat(mountpoint)).uid, 710000);
    });
  });

  test('a volume create-d volume the caller filled first keeps its owner', async (t) => {
    if (!requireRoot(t)) return;
    await withTempDirs(async (dirs) => {
      assert.equal((await runIsola([...dirs.args, 'volume', 'create', 'filled'])).code, 0);
      const mountpoint = (JSON.parse((await runIsola([...dirs.args, 'volume', 'inspect', 'filled'])).stdout) as { Mountpoint: string }[])[0]!.Mountpoint;
      await writeFile(join(mountpoint, 'seed'), 'seed\n', { mode: 0o644 });
      const result = await run(dirs, 'filled:/data', 'cat /data/seed');
      assert.equal(result.stdout, 'seed\n');
      assert.equal((await lstat(mountpoint)).uid, 0);
    });
  });

  test(':idmap without a user namespace is refused', async (t) => {
    if (!requireRoot(t)) return;
    const dir = await volumeDir('hostns');
    await withTempDirs(async (dirs) => {
      const result = await run(dirs, `${dir}:/v:idmap`, 'true', ['--userns=host']);
      assert.equal(result.code, 125);
      assert.match(result.stderr, /idmap only with a user namespace/);
    });
  });
});
