/**
 * blockIO, hugepageLimits, network and cpu realtime limits through
 * bin/isola-runtime, on whatever this host's cgroups offer: where it has the
 * controller (and file), the value lands in the container's cgroup; where not,
 * create fails naming the controller, and leaves no container or cgroup.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdir, readdir, readFile, rmdir } from 'node:fs/promises';
import { requireRoot } from '../../helpers/requirements.ts';
import { createFsCgroupHost, detectCgroupLayout, type CgroupLayout } from '../../../src/cgroups/index.ts';
import type { OciConfig, OciResources } from '../../../src/runtime/index.ts';
import { makeBundle } from './bundle.ts';
import { runRuntime, withRuntimeRoot } from './runtime-cli.ts';

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

/** Where a controller's hierarchy is mounted: its v1 mount, else cgroup2 when it offers the controller there. */
function mountOf(layout: CgroupLayout, v1Name: string, v2Name: string | undefined): string | undefined {
  const v1 = layout.v1Mounts.get(v1Name);
  if (v1 !== undefined) return v1;
  return v2Name !== undefined && layout.unifiedControllers.includes(v2Name) ? layout.unifiedMount : undefined;
}

/** A block device of this host as major:minor, a disk rather than a loop device when there is one. */
async function someBlockDevice(): Promise<{ major: number; minor: number }> {
  const names = (await readdir('/sys/block')).sort((a, b) => Number(a.startsWith('loop')) - Number(b.startsWith('loop')));
  const [major = 0, minor = 0] = (await readFile(`/sys/block/${names[0]}/dev`, 'utf8')).trim().split(':').map(Number);
  return { major, minor };
}

/** The control files a new cgroup in `mount` has (made and removed again). */
async function filesOfNewCgroup(mount: string): Promise<string[]> {
  const probe = `${mount}/isola-test-probe-${process.pid}`;
  await mkdir(probe);
  try {
    return await readdir(probe);
  } finally {
    await rmdir(probe);
  }
}

interface Outcome {
  /** The container's cgroup directory in `mount`, while it runs. */
  read(file: string): Promise<string>;
}

/**
 * Runs a container with `resources` under a fresh cgroupsPath: `check` sees
 * it running, or `refused` gets create's stderr after checking that nothing
 * was left behind in `mount`.
 */
async function withResources(name: string, resources: OciResources, mount: string | undefined,
  check: ((outcome: Outcome) => Promise<void>) | undefined, refused: (stderr: string) => void): Promise<void> {
  // Directly under the root: a nested path's parents have no real-time runtime to give.
  const cgroupsPath = `/isola-test-${name}-${process.pid}`;
  const bundle = await makeBundle({
    args: ['sleep', '600'], edit: (c): OciConfig => ({ ...c, linux: { ...c.linux, cgroupsPath, resources } }),
  });
  try {
    await withRuntimeRoot(async (root) => {
      const created = await runRuntime(['--root', root, 'run', '-d', '--bundle', bundle.dir, name]);
      if (check === undefined) {
        assert.equal(created.code, 1, 'refused');
        refused(created.stderr);
        assert.equal((await runRuntime(['--root', root, 'list', '-q'])).stdout, '');
        for (const dir of ['blkio', 'hugetlb', 'cpu', 'pids', 'net_cls', 'unified', '']) {
          assert.equal(await exists(`/sys/fs/cgroup/${dir}${cgroupsPath}`), false, `no cgroup left in /sys/fs/cgroup/${dir}`);
        }
        return;
      }
      assert.equal(created.code, 0, created.stderr);
      await check({ read: (file) => readFile(`${mount}${cgroupsPath}/${file}`, 'utf8') });
      assert.equal((await runRuntime(['--root', root, 'delete', '--force', name])).code, 0);
      assert.equal(await exists(`${mount}${cgroupsPath}`), false);
    });
  } finally {
    await bundle.remove();
  }
}

test('blockIO throttles land in blkio.throttle.* (v1) or io.max (v2); a weight needs a weight file the host has', async (t) => {
  if (!requireRoot(t)) return;
  const layout = await detectCgroupLayout(createFsCgroupHost());
  const mount = mountOf(layout, 'blkio', 'io');
  const disk = await someBlockDevice();
  const device = `${disk.major}:${disk.minor}`;
  const throttles = { throttleReadBpsDevice: [{ ...disk, rate: 102400 }], throttleWriteIOPSDevice: [{ ...disk, rate: 300 }] };
  const isV1 = layout.v1Mounts.has('blkio');
  await withResources('blkio', { blockIO: throttles }, mount, mount === undefined ? undefined : async (cgroup) => {
    if (isV1) {
      assert.equal((await cgroup.read('blkio.throttle.read_bps_device')).trim(), `${device} 102400`);
      assert.equal((await cgroup.read('blkio.throttle.write_iops_device')).trim(), `${device} 300`);
    } else {
      assert.match(await cgroup.read('io.max'), new RegExp(`^${device} rbps=102400 wbps=max riops=max wiops=300`, 'm'));
    }
  }, (stderr) => assert.match(stderr, /blkio cgroup controller is not available/));

  if (mount === undefined) return;
  // Weight files appear only below the root (BFQ has none there): look in a new cgroup.
  const weightFiles = isV1 ? ['blkio.weight', 'blkio.bfq.weight'] : ['io.bfq.weight', 'io.weight'];
  const offered = await filesOfNewCgroup(mount);
  const hasWeight = weightFiles.some((f) => offered.includes(f));
  await withResources('blkio-weight', { blockIO: { weight: 500, throttleReadBpsDevice: [{ ...disk, rate: 4096 }] } }, mount, hasWeight ? async (cgroup) => {
    const texts = await Promise.all(weightFiles.map((f) => cgroup.read(f).catch(() => '')));
    assert.ok(texts.some((text) => /\b(500|5045)\b/.test(text)), `a weight in ${weightFiles.join(' or ')}`);
  } : undefined, (stderr) => assert.match(stderr, /(blkio|io) limit: neither .*weight.* exists.*BFQ/s));
  // Leaf weights were CFQ's (gone since Linux 5.0): runtime-tools' blkio programs ask for them.
  await withResources('blkio-leaf', { blockIO: { leafWeight: 300 } }, mount, offered.includes('blkio.leaf_weight') ? async (cgroup) => {
    assert.equal((await cgroup.read('blkio.leaf_weight')).trim(), '300');
  } : undefined, (stderr) => assert.match(stderr, /leaf_weight|leaf weights/));
});

test('hugepageLimits land in hugetlb.<size>.limit_in_bytes (v1) or .max (v2, also on a hybrid host\'s cgroup2 mount)', async (t) => {
  if (!requireRoot(t)) return;
  const layout = await detectCgroupLayout(createFsCgroupHost());
  const mount = mountOf(layout, 'hugetlb', 'hugetlb');
  const resources = { hugepageLimits: [{ pageSize: '2MB', limit: 4 * 2097152 }] };
  const hasTwoMegabytePages = await exists('/sys/kernel/mm/hugepages/hugepages-2048kB');
  await withResources('hugetlb', resources, mount, mount === undefined || !hasTwoMegabytePages ? undefined : async (cgroup) => {
    const file = layout.v1Mounts.has('hugetlb') ? 'hugetlb.2MB.limit_in_bytes' : 'hugetlb.2MB.max';
    assert.equal((await cgroup.read(file)).trim(), String(4 * 2097152));
  }, (stderr) => assert.match(stderr, /hugetlb/));
});

test('network classID and priorities land in net_cls.classid and net_prio.ifpriomap, or are refused with how to mount them', async (t) => {
  if (!requireRoot(t)) return;
  const layout = await detectCgroupLayout(createFsCgroupHost());
  const mount = layout.v1Mounts.get('net_cls');
  const hasBoth = mount !== undefined && layout.v1Mounts.get('net_prio') === mount;
  await withResources('net', { network: { classID: 0x100001, priorities: [{ name: 'lo', priority: 3 }] } }, mount, hasBoth ? async (cgroup) => {
    assert.equal((await cgroup.read('net_cls.classid')).trim(), String(0x100001));
    assert.match(await cgroup.read('net_prio.ifpriomap'), /^lo 3$/m);
  } : undefined, (stderr) => assert.match(stderr, /the net_(cls|prio) cgroup controller is not available.*mount -t cgroup -o net_/s));
});

test('cpu realtimeRuntime and realtimePeriod land in cpu.rt_runtime_us and cpu.rt_period_us (v1), or are refused (v2)', async (t) => {
  if (!requireRoot(t)) return;
  const layout = await detectCgroupLayout(createFsCgroupHost());
  const mount = layout.v1Mounts.get('cpu');
  const hasRt = mount !== undefined && await exists(`${mount}/cpu.rt_runtime_us`);
  await withResources('rt', { cpu: { realtimeRuntime: 1000, realtimePeriod: 500000 } }, mount, hasRt ? async (cgroup) => {
    assert.equal((await cgroup.read('cpu.rt_runtime_us')).trim(), '1000');
    assert.equal((await cgroup.read('cpu.rt_period_us')).trim(), '500000');
  } : undefined, (stderr) => assert.match(stderr, /real-time|rt_runtime_us/));
});
