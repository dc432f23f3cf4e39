import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { makeCgroupFixture, type CgroupFixture, type FixtureOptions } from './cgroup-fixture.test-helper.ts';
import { CgroupError } from './errors.ts';
import { openCgroupDriver } from './open-driver.ts';

const MiB = 1024 * 1024;
const LIMITS = { pidsMax: 10, memory: { limitBytes: 64 * MiB, swapLimitBytes: 128 * MiB }, cpu: { quotaUs: 150000, periodUs: 100000 } };

describe('the v1 driver', () => {
  let fixture: CgroupFixture;
  afterEach(() => fixture.cleanup());
  const open = async (options: Partial<FixtureOptions> = {}) => {
    fixture = await makeCgroupFixture({ kind: 'v1', ...options });
    return openCgroupDriver(fixture.host);
  };

  it('gives a container without limits a pids cgroup only, for accounting', async () => {
    const driver = await open();
    assert.equal(driver.kind, 'v1');
    const cgroup = await driver.createCgroup({ path: 'isola/c1', limits: {} });
    assert.deepEqual(cgroup?.procsFiles, ['/sys/fs/cgroup/pids/isola/c1/cgroup.procs']);
    assert.deepEqual(fixture.writes, []);
    assert.equal(await fixture.exists('/sys/fs/cgroup/memory/isola'), false);
  });

  it('writes each limit into its own hierarchy, memory before memsw and period before quota', async () => {
    const cgroup = await (await open()).createCgroup({ path: 'isola/c1', limits: LIMITS });
    assert.deepEqual(fixture.writes, [
      '/sys/fs/cgroup/pids/isola/c1/pids.max=10',
      `/sys/fs/cgroup/memory/isola/c1/memory.limit_in_bytes=${64 * MiB}`,
      `/sys/fs/cgroup/memory/isola/c1/memory.memsw.limit_in_bytes=${128 * MiB}`,
      '/sys/fs/cgroup/cpu/isola/c1/cpu.cfs_period_us=100000',
      '/sys/fs/cgroup/cpu/isola/c1/cpu.cfs_quota_us=150000',
    ]);
    assert.deepEqual(cgroup?.procsFiles, ['pids', 'memory', 'cpu'].map((c) => `/sys/fs/cgroup/${c}/isola/c1/cgroup.procs`));
    assert.equal(await fixture.read('/sys/fs/cgroup/pids/isola/c1/pids.max'), '10');
  });

  it('gives new cpuset cgroups their parent\'s CPUs and memory nodes before the requested ones, and writes cpu shares', async () => {
    const driver = await open({ v1Hierarchies: ['pids', 'cpu', 'cpuset'] });
    await driver.createCgroup({ path: 'isola/c1', limits: { cpu: { shares: 512, periodUs: 100000 }, cpuset: { cpus: '1' } } });
    assert.deepEqual(fixture.writes, [
      '/sys/fs/cgroup/cpu/isola/c1/cpu.shares=512',
      '/sys/fs/cgroup/cpu/isola/c1/cpu.cfs_period_us=100000',
      '/sys/fs/cgroup/cpuset/isola/cpuset.cpus=0-3',
      '/sys/fs/cgroup/cpuset/isola/cpuset.mems=0',
      '/sys/fs/cgroup/cpuset/isola/c1/cpuset.cpus=0-3',
      '/sys/fs/cgroup/cpuset/isola/c1/cpuset.mems=0',
      '/sys/fs/cgroup/cpuset/isola/c1/cpuset.cpus=1',
    ]);
  });

  it('writes the v1 memory extras: soft limit, swappiness, kernel limits and the OOM killer switch', async () => {
    await (await open()).createCgroup({ path: 'isola/c1', limits: { memory: { reservationBytes: 4096, swappiness: 10, kernelTcpBytes: 8192, isOomKillerDisabled: true } } });
    assert.deepEqual(fixture.writes.filter((w) => w.includes('/memory/')), [
      '/sys/fs/cgroup/memory/isola/c1/memory.soft_limit_in_bytes=4096',
      '/sys/fs/cgroup/memory/isola/c1/memory.swappiness=10',
      '/sys/fs/cgroup/memory/isola/c1/memory.kmem.tcp.limit_in_bytes=8192',
      '/sys/fs/cgroup/memory/isola/c1/memory.oom_control=1',
    ]);
  });

  it('leaves swap alone when the kernel does not account it (no memsw files)', async () => {
    await (await open({ hasSwapAccounting: false })).createCgroup({ path: 'isola/c1', limits: { memory: LIMITS.memory } });
    assert.deepEqual(fixture.writes.filter((w) => w.includes('memory.')), [`/sys/fs/cgroup/memory/isola/c1/memory.limit_in_bytes=${64 * MiB}`]);
  });

  it('makes one directory for co-mounted controllers', async () => {
    const driver = await open({ v1Hierarchies: ['pids', 'cpu,cpuacct'] });
    const cgroup = await driver.createCgroup({ path: 'isola/c1', limits: { cpu: LIMITS.cpu } });
    assert.deepEqual(cgroup?.dirs, ['/sys/fs/cgroup/pids/isola/c1', '/sys/fs/cgroup/cpu,cpuacct/isola/c1']);
  });

  it('names a missing controller and creates nothing', async () => {
    const driver = await open({ v1Hierarchies: ['pids', 'cpu'] });
    await assert.rejects(driver.createCgroup({ path: 'isola/c1', limits: LIMITS }),
      (err: CgroupError) => err.code === 'ISOLA_CGROUP_CONTROLLER_MISSING' && err.controller === 'memory');
    assert.equal(await fixture.exists('/sys/fs/cgroup/pids/isola'), false);
  });

  it('skips the cgroup when nothing is requested and the hierarchy is not writable', async () => {
    assert.equal(await (await open({ isReadonly: true })).createCgroup({ path: 'isola/c1', limits: {} }), undefined);
  });

  it('refuses a requested limit when the hierarchy is not writable', async () => {
    const driver = await open({ isReadonly: true });
    await assert.rejects(driver.createCgroup({ path: 'isola/c1', limits: { pidsMax: 10 } }), { code: 'ISOLA_CGROUP_NOT_WRITABLE' });
  });

  it('removes every directory it made when a later write fails', async () => {
    const driver = await open();
    const writeFile = fixture.host.writeFile;
    fixture.host.writeFile = async (path, text) => {
      if (path.endsWith('cpu.cfs_quota_us')) throw Object.assign(new Error('EINVAL'), { code: 'EINVAL' });
      return writeFile(path, text);
    };
    await assert.rejects(driver.createCgroup({ path: 'isola/c1', limits: LIMITS }),
      (err: CgroupError) => err.code === 'ISOLA_CGROUP_WRITE_FAILED' && err.path === '/sys/fs/cgroup/cpu/isola/c1/cpu.cfs_quota_us');
    for (const c of ['pids', 'memory', 'cpu']) assert.equal(await fixture.exists(`/sys/fs/cgroup/${c}/isola/c1`), false, c);
  });

  it('checks the limits before it creates anything', async () => {
    const driver = await open();
    await assert.rejects(driver.createCgroup({ path: 'isola/c1', limits: { cpu: { quotaUs: 1000, periodUs: 999 } } }),
      { code: 'ISOLA_CGROUP_INVALID_LIMIT' });
    assert.equal(await fixture.exists('/sys/fs/cgroup/pids/isola'), false);
  });

  it('refuses a cgroup that already exists', async () => {
    const driver = await open();
    await driver.createCgroup({ path: 'isola/c1', limits: {} });
    await assert.rejects(driver.createCgroup({ path: 'isola/c1', limits: { pidsMax: 5 } }), { code: 'ISOLA_CGROUP_EXISTS' });
    assert.equal(await fixture.exists('/sys/fs/cgroup/pids/isola/c1'), true);
  });

  it('kills the processes left in each hierarchy, then removes it; a second remove is harmless', async () => {
    const cgroup = await (await open()).createCgroup({ path: 'isola/c1', limits: { pidsMax: 10 } });
    await fixture.addProcs('/sys/fs/cgroup/pids/isola/c1', [4242, 4243]);
    await cgroup?.remove();
    assert.deepEqual(fixture.kills, [4242, 4243]);
    assert.equal(await fixture.exists('/sys/fs/cgroup/pids/isola/c1'), false);
    assert.equal(await fixture.exists('/sys/fs/cgroup/pids/isola'), true);
    await cgroup?.remove();
  });

  it('fails to remove, naming the cgroup, when its processes survive SIGKILL', async () => {
    const cgroup = await (await open({ isUnkillable: true })).createCgroup({ path: 'isola/c1', limits: {} });
    await fixture.addProcs('/sys/fs/cgroup/pids/isola/c1', [4242]);
    await assert.rejects(cgroup!.remove(),
      (err: CgroupError) => err.code === 'ISOLA_CGROUP_REMOVE_FAILED' && err.path === '/sys/fs/cgroup/pids/isola/c1');
  });
});
