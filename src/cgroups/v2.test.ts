import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { makeCgroupFixture, type CgroupFixture, type FixtureOptions } from './cgroup-fixture.test-helper.ts';
import type { CgroupError } from './errors.ts';
import { openCgroupDriver } from './open-driver.ts';

const MiB = 1024 * 1024;
const LIMITS = { pidsMax: 10, memory: { limitBytes: 64 * MiB, swapLimitBytes: 128 * MiB }, cpu: { quotaUs: 150000, periodUs: 100000 } };

describe('the v2 driver', () => {
  let fixture: CgroupFixture;
  afterEach(() => fixture.cleanup());
  const open = async (options: Partial<FixtureOptions> = {}) => {
    fixture = await makeCgroupFixture({ kind: 'v2', ...options });
    return openCgroupDriver(fixture.host);
  };

  it('enables the controllers down the path, then writes pids.max, memory.max, memory.swap.max and cpu.max', async () => {
    const driver = await open();
    assert.equal(driver.kind, 'v2');
    const cgroup = await driver.createCgroup({ path: 'isola/c1', limits: LIMITS });
    assert.deepEqual(fixture.writes, [
      '/sys/fs/cgroup/cgroup.subtree_control=+pids',
      '/sys/fs/cgroup/cgroup.subtree_control=+memory',
      '/sys/fs/cgroup/cgroup.subtree_control=+cpu',
      '/sys/fs/cgroup/isola/cgroup.subtree_control=+pids',
      '/sys/fs/cgroup/isola/cgroup.subtree_control=+memory',
      '/sys/fs/cgroup/isola/cgroup.subtree_control=+cpu',
      '/sys/fs/cgroup/isola/c1/pids.max=10',
      `/sys/fs/cgroup/isola/c1/memory.max=${64 * MiB}`,
      `/sys/fs/cgroup/isola/c1/memory.swap.max=${64 * MiB}`,
      '/sys/fs/cgroup/isola/c1/cpu.max=150000 100000',
    ]);
    assert.deepEqual(cgroup?.procsFiles, ['/sys/fs/cgroup/isola/c1/cgroup.procs']);
  });

  it('enables nothing that is already enabled, and only pids for a container without limits', async () => {
    const driver = await open();
    await driver.createCgroup({ path: 'isola/c1', limits: {} });
    fixture.writes.length = 0;
    await driver.createCgroup({ path: 'isola/c2', limits: {} });
    assert.deepEqual(fixture.writes, []);
    assert.equal(await fixture.read('/sys/fs/cgroup/isola/cgroup.subtree_control'), 'pids');
  });

  it('enables the controllers in every ancestor of a deeper path', async () => {
    await (await open()).createCgroup({ path: '/tenants/a/c1', limits: { pidsMax: 3 } });
    assert.equal(await fixture.read('/sys/fs/cgroup/tenants/a/cgroup.subtree_control'), 'pids');
    assert.equal(await fixture.read('/sys/fs/cgroup/tenants/a/c1/pids.max'), '3');
  });

  it('writes cpu shares as cpu.weight, an unlimited quota as max, and the cpuset as given', async () => {
    const driver = await open({ unifiedControllers: ['pids', 'cpu', 'cpuset'] });
    await driver.createCgroup({ path: 'c1', limits: { cpu: { shares: 1024, periodUs: 100000 }, cpuset: { mems: '0' } } });
    assert.deepEqual(fixture.writes.filter((w) => w.startsWith('/sys/fs/cgroup/c1/')),
      ['/sys/fs/cgroup/c1/cpu.weight=39', '/sys/fs/cgroup/c1/cpu.max=max 100000', '/sys/fs/cgroup/c1/cpuset.mems=0']);
  });

  it('writes a reservation as memory.low, and refuses what only v1 has, creating nothing', async () => {
    const driver = await open();
    await driver.createCgroup({ path: 'c1', limits: { memory: { reservationBytes: 4096 } } });
    assert.ok(fixture.writes.includes('/sys/fs/cgroup/c1/memory.low=4096'));
    await assert.rejects(driver.createCgroup({ path: 'c2', limits: { memory: { swappiness: 10 } } }), { code: 'ISOLA_CGROUP_INVALID_LIMIT' });
    assert.equal(await fixture.exists('/sys/fs/cgroup/c2'), false);
  });

  it('leaves swap alone without memory.swap.max (no swap accounting)', async () => {
    await (await open({ hasSwapAccounting: false })).createCgroup({ path: 'isola/c1', limits: { memory: LIMITS.memory } });
    assert.equal(fixture.writes.some((w) => w.includes('memory.swap.max')), false);
  });

  it('names a controller the root does not offer and creates nothing', async () => {
    const driver = await open({ unifiedControllers: ['pids', 'memory'] });
    await assert.rejects(driver.createCgroup({ path: 'isola/c1', limits: LIMITS }),
      (err: CgroupError) => err.code === 'ISOLA_CGROUP_CONTROLLER_MISSING' && err.controller === 'cpu');
    assert.equal(await fixture.exists('/sys/fs/cgroup/isola'), false);
    assert.deepEqual(fixture.writes, []);
  });

  it('creates no cgroup without a pids controller when nothing is requested', async () => {
    assert.equal(await (await open({ unifiedControllers: ['memory'] })).createCgroup({ path: 'isola/c1', limits: {} }), undefined);
    assert.equal(await fixture.exists('/sys/fs/cgroup/isola'), false);
  });

  it('reports a parent that holds processes of its own, and skips accounting there', async () => {
    const driver = await open();
    const writeFile = fixture.host.writeFile;
    fixture.host.writeFile = async (path, text) => {
      if (path === '/sys/fs/cgroup/isola/cgroup.subtree_control') throw Object.assign(new Error('EBUSY'), { code: 'EBUSY' });
      return writeFile(path, text);
    };
    await assert.rejects(driver.createCgroup({ path: 'isola/c1', limits: { pidsMax: 5 } }),
      (err: CgroupError) => err.code === 'ISOLA_CGROUP_CREATE_FAILED' && err.path === '/sys/fs/cgroup/isola/cgroup.subtree_control');
    assert.equal(await driver.createCgroup({ path: 'isola/c1', limits: {} }), undefined);
  });

  it('refuses a requested limit when cgroups cannot be created, and skips the cgroup otherwise', async () => {
    const driver = await open({ isReadonly: true });
    await assert.rejects(driver.createCgroup({ path: 'isola/c1', limits: { memory: LIMITS.memory } }), { code: 'ISOLA_CGROUP_NOT_WRITABLE' });
    assert.equal(await driver.createCgroup({ path: 'isola/c1', limits: {} }), undefined);
  });

  it('removes the cgroup when a limit is refused', async () => {
    const driver = await open();
    const writeFile = fixture.host.writeFile;
    fixture.host.writeFile = async (path, text) => {
      if (path.endsWith('/memory.max')) throw Object.assign(new Error('EINVAL'), { code: 'EINVAL' });
      return writeFile(path, text);
    };
    await assert.rejects(driver.createCgroup({ path: 'isola/c1', limits: LIMITS }), { code: 'ISOLA_CGROUP_WRITE_FAILED' });
    assert.equal(await fixture.exists('/sys/fs/cgroup/isola/c1'), false);
  });

  it('kills what is left through cgroup.kill, then removes the cgroup', async () => {
    const cgroup = await (await open()).createCgroup({ path: 'isola/c1', limits: {} });
    await fixture.addProcs('/sys/fs/cgroup/isola/c1', [77]);
    await cgroup?.remove();
    assert.ok(fixture.writes.includes('/sys/fs/cgroup/isola/c1/cgroup.kill=1'));
    assert.deepEqual(fixture.kills, []);
    assert.equal(await fixture.exists('/sys/fs/cgroup/isola/c1'), false);
  });
});
