/**
 * With no mapping flag a container runs in a range of its own: root inside,
 * an unprivileged uid at 2^31 or above on the host. remap:USER uses USER's
 * /etc/subuid range instead.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { killQuietly, newEnvMarker, readHostIds, waitForPidWithEnvEntry } from '../../acceptance/host-processes.ts';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { requireRoot } from '../../helpers/requirements.ts';
import { isolaBin, runIsola } from '../../helpers/run-cli.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';
import { parseMapLines, pidsByEnvEntry, runIsolaWithSubids } from './userns-run.ts';

test('isola run with no mapping flag is root inside and a uid of 2^31 or more on the host', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const marker = newEnvMarker();
    // exec: once id has run, the container is one process carrying the marker.
    const cli = spawn(isolaBin, [...dirs.args, 'run', '--rm', '--rootfs', rootfs, '-e', marker, '--', 'sh', '-c', 'id -u; exec sleep 30'],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const printed = new Promise<void>((resolve) => {
      cli.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('\n')) resolve();
      });
    });
    cli.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const closed = once(cli, 'close');
    try {
      await Promise.race([printed, closed]);
      const pid = await waitForPidWithEnvEntry(marker);
      const ids = await readHostIds(pid);
      assert.ok(ids.uid >= 2 ** 31, `host uid ${ids.uid}`);
      assert.ok(ids.gid >= 2 ** 31, `host gid ${ids.gid}`);
    } finally {
      for (const pid of (await pidsByEnvEntry([marker])).get(marker) ?? []) killQuietly(pid);
      await closed;
    }
    assert.equal(stdout, '0\n', stderr);
    const ls = await runIsola([...dirs.args, 'userns', 'ls', '--format', 'json']);
    assert.deepEqual(JSON.parse(ls.stdout), [], 'a killed container releases its range');
  });
});

test('id -u with no mapping flag prints 0', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  const result = await withTempDirs((dirs) => runIsola([...dirs.args, 'run', '--rm', '--rootfs', rootfs, '--', 'id', '-u']));
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, '0\n');
});

test('--userns=auto:size=N gives N ids', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  const result = await withTempDirs((dirs) => runIsola([...dirs.args, 'run', '--rm', '--rootfs', rootfs, '--userns=auto:size=2000',
    '--', 'cat', '/proc/self/uid_map']));
  assert.equal(result.code, 0, result.stderr);
  const [line] = parseMapLines(result.stdout);
  assert.equal(line?.size, 2000);
  assert.ok((line?.outside ?? 0) >= 2 ** 31);
});

test('the isola entry of /etc/subuid and /etc/subgid is the pool when there is one', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  const files = { subuid: 'isola:3000000000:131072\n', subgid: 'isola:3100000000:131072\n' };
  const result = await withTempDirs((dirs) => runIsolaWithSubids(files, [...dirs.args, 'run', '--rm', '--rootfs', rootfs,
    '--', 'cat', '/proc/self/uid_map', '/proc/self/gid_map']));
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(parseMapLines(result.stdout), [{ inside: 0, outside: 3000000000, size: 65536 }, { inside: 0, outside: 3100000000, size: 65536 }]);
});

test('--userns=remap:USER maps USER\'s /etc/subuid and /etc/subgid ranges', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  const files = { subuid: 'dockremap:400000:65536\n', subgid: 'dockremap:500000:65536\n' };
  const result = await withTempDirs((dirs) => runIsolaWithSubids(files, [...dirs.args, 'run', '--rm', '--rootfs', rootfs,
    '--userns=remap:dockremap', '--', 'cat', '/proc/self/uid_map', '/proc/self/gid_map']));
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(parseMapLines(result.stdout), [{ inside: 0, outside: 400000, size: 65536 }, { inside: 0, outside: 500000, size: 65536 }]);
});
