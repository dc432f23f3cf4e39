/**
 * The host's ps shows a container's root as the mapped host uid, never as
 * root, while inside it is uid 0 and pid 1.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { ensureHostRootfs } from '../fixtures/host-rootfs.ts';
import { requireRoot } from '../helpers/requirements.ts';
import { isolaBin, runIsola } from '../helpers/run-cli.ts';
import { withTempDirs } from '../helpers/temp-dirs.ts';
import { killQuietly, listContainerDirs, newEnvMarker, parseProcIdMap, pidsWithEnvEntry, readHostIds,
  waitForPidWithEnvEntry } from './host-processes.ts';

const maps = ['--uidmap', '0:100000:65536', '--gidmap', '0:100000:65536'];

describe('a running container seen from the host', () => {
  test('container root is uid 0 and pid 1 inside', async (t) => {
    if (!requireRoot(t)) return;
    const rootfs = await ensureHostRootfs();
    const result = await withTempDirs((dirs) => runIsola([...dirs.args, 'run', '--rm', '--rootfs', rootfs, ...maps,
      '--', 'sh', '-c', 'id -u; echo $$']));
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '0\n1\n');
  });

  test('container root runs as host uid 100000 and leaves nothing once killed', async (t) => {
    if (!requireRoot(t)) return;
    const rootfs = await ensureHostRootfs();
    await withTempDirs(async (dirs) => {
      const containerMarker = newEnvMarker();
      const cliMarker = newEnvMarker('ISOLA_TEST_CLI');
      const [name = '', value = ''] = cliMarker.split('=');
      const cli = spawn(isolaBin, [...dirs.args, 'run', '--rm', '--rootfs', rootfs, ...maps, '-e', containerMarker,
        '--', 'sleep', '30'], { env: { ...process.env, [name]: value }, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      cli.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
      const closed = once(cli, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
      let pid = 0;
      try {
        pid = await waitForPidWithEnvEntry(containerMarker);
        const ids = await readHostIds(pid);
        assert.deepEqual([ids.uid, ids.gid], [100000, 100000]);
        assert.equal(ids.nsPids.at(-1), 1, 'pid 1 in its own PID namespace');
        assert.deepEqual(parseProcIdMap(await readFile(`/proc/${pid}/uid_map`, 'utf8')), [[0, 100000, 65536]]);
        // Forwarded to the container, where sleep as pid 1 has no TERM handler, so
        // the kernel drops it; only SIGKILL from the host ends such a pid 1.
        cli.kill('SIGTERM');
        process.kill(pid, 'SIGKILL');
        assert.deepEqual(await closed, [137, null], stderr);
      } finally {
        if (pid !== 0) killQuietly(pid);
        if (cli.exitCode === null && cli.signalCode === null) cli.kill('SIGKILL');
      }
      assert.deepEqual(await pidsWithEnvEntry(containerMarker), [], 'container process left');
      assert.deepEqual(await pidsWithEnvEntry(cliMarker), [], 'isola or isola-shim process left');
      assert.deepEqual(await listContainerDirs(dirs.runroot), [], 'run directory left');
    });
  });
});
