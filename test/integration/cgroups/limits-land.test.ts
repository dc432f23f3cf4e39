/**
 * --memory, --cpus and --pids-limit reach the container's cgroup files, each
 * in the hierarchy that holds its controller (v1, cgroup2 or hybrid), and
 * every directory is gone once the container exits.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { requireRoot } from '../../helpers/requirements.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';
import { ANNOUNCE, cgroupDirsFrom, exists, startContainer } from './live-container.ts';
import { runInContainer } from '../run/run-in-container.ts';

const MiB = 1024 * 1024;

async function readValue(dir: string, file: string): Promise<string> {
  return (await readFile(`${dir}/${file}`, 'utf8')).trim();
}

test('--memory 64m, --cpus 1.5 and --pids-limit 20 land in the cgroup files and are removed after exit', async (t) => {
  if (!requireRoot(t, 'creates real cgroups')) return;
  await withTempDirs(async (dirs) => {
    const container = await startContainer(dirs, ['--memory', '64m', '--cpus', '1.5', '--pids-limit', '20'], `${ANNOUNCE}; sleep 60 & wait`);
    try {
      await container.waitForOutput(/ready\n/);
      const cgroups = await cgroupDirsFrom(container.stdout());
      const [pids, memory, cpu] = [cgroups.get('pids'), cgroups.get('memory'), cgroups.get('cpu')];
      assert.ok(pids !== undefined && memory !== undefined && cpu !== undefined, container.stdout());
      assert.equal(await readValue(pids, 'pids.max'), '20');
      if (await exists(`${memory}/memory.max`)) {
        assert.equal(await readValue(memory, 'memory.max'), String(64 * MiB));
        if (await exists(`${memory}/memory.swap.max`)) assert.equal(await readValue(memory, 'memory.swap.max'), String(64 * MiB));
        assert.equal(await readValue(cpu, 'cpu.max'), '150000 100000');
      } else {
        assert.equal(await readValue(memory, 'memory.limit_in_bytes'), String(64 * MiB));
        if (await exists(`${memory}/memory.memsw.limit_in_bytes`)) {
          assert.equal(await readValue(memory, 'memory.memsw.limit_in_bytes'), String(128 * MiB));
        }
        assert.equal(await readValue(cpu, 'cpu.cfs_period_us'), '100000');
        assert.equal(await readValue(cpu, 'cpu.cfs_quota_us'), '150000');
      }
      assert.equal(await container.stop(), 0);
      for (const dir of cgroups.values()) assert.equal(await exists(dir), false, `${dir} is removed`);
    } finally {
      await container.stop();
    }
  });
});

test('a container without limits gets no cgroup of its own (joining one costs an RCU grace period on v1)', async (t) => {
  if (!requireRoot(t, 'creates real cgroups')) return;
  const result = await runInContainer([], ['cat', '/proc/self/cgroup']);
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stdout, /\/isola\//);
});

test('a container with only a memory limit also gets a pids cgroup, for accounting', async (t) => {
  if (!requireRoot(t, 'creates real cgroups')) return;
  const result = await runInContainer(['--memory', '64m'], ['cat', '/proc/self/cgroup']);
  assert.equal(result.code, 0, result.stderr);
  const dirs = await cgroupDirsFrom(result.stdout);
  assert.ok(dirs.has('pids') && dirs.has('memory'), [...dirs.keys()].join(','));
  for (const dir of dirs.values()) assert.equal(await exists(dir), false, 'removed after exit');
});

test('a bad limit is one clear error naming the flag, before any container exists', async (t) => {
  if (!requireRoot(t, 'runs isola as root')) return;
  for (const [flag, value] of [['--pids-limit', '-1'], ['--pids-limit', 'lots'], ['--memory', '12q'], ['--cpus', '0']] as const) {
    const result = await runInContainer([flag, value], ['true']);
    assert.equal(result.code, 125, `${flag} ${value}`);
    assert.equal(result.stderr.split('\n').length, 2, result.stderr);
    assert.ok(result.stderr.startsWith(`isola: ${flag}:`), result.stderr);
  }
});
