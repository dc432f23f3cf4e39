import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { makeCgroupFixture, type CgroupFixture, type FixtureOptions } from './cgroup-fixture.test-helper.ts';
import type { CgroupError } from './errors.ts';
import { ioWeightFromBlkio } from './blkio.ts';
import type { BlkioLimits } from './limits.ts';
import { openCgroupDriver } from './open-driver.ts';

const DEVICE = { major: 8, minor: 0 };
const THROTTLES: BlkioLimits = {
  readBpsDevices: [{ ...DEVICE, rate: 102400 }], writeBpsDevices: [{ ...DEVICE, rate: 204800 }],
  readIopsDevices: [{ ...DEVICE, rate: 100 }], writeIopsDevices: [{ ...DEVICE, rate: 0 }],
};
const ALL_BLKIO: BlkioLimits = { weight: 500, leafWeight: 300, weightDevices: [{ ...DEVICE, weight: 200, leafWeight: 100 }], ...THROTTLES };

describe('blkio, hugetlb, net_cls, net_prio and realtime limits', () => {
  let fixture: CgroupFixture;
  afterEach(() => fixture.cleanup());
  const open = async (options: FixtureOptions) => {
    fixture = await makeCgroupFixture(options);
    return openCgroupDriver(fixture.host);
  };
  const v1 = (controllers: readonly string[], options: Partial<FixtureOptions> = {}) => open({ kind: 'v1', v1Hierarchies: ['pids', ...controllers], ...options });
  const written = (part: string): string[] => fixture.writes.filter((w) => w.includes(part));

  it('v1: writes the blkio weight, leaf weight, per-device weights and throttles into their files', async () => {
    await (await v1(['blkio'])).createCgroup({ path: 'isola/c1', limits: { blkio: ALL_BLKIO } });
    const dir = '/sys/fs/cgroup/blkio/isola/c1';
    assert.deepEqual(written('/blkio/'), [
      `${dir}/blkio.weight=500`, `${dir}/blkio.leaf_weight=300`, `${dir}/blkio.weight_device=8:0 200`, `${dir}/blkio.leaf_weight_device=8:0 100`,
      `${dir}/blkio.throttle.read_bps_device=8:0 102400`, `${dir}/blkio.throttle.write_bps_device=8:0 204800`,
      `${dir}/blkio.throttle.read_iops_device=8:0 100`, `${dir}/blkio.throttle.write_iops_device=8:0 0`,
    ]);
  });

  it('v1: writes weights to BFQ\'s files where CFQ\'s are absent', async () => {
    await (await v1(['blkio'], { ioWeights: 'bfq' })).createCgroup({ path: 'isola/c1', limits: { blkio: { weight: 500, weightDevices: [{ ...DEVICE, weight: 200 }] } } });
    assert.deepEqual(written('/blkio/'), ['/sys/fs/cgroup/blkio/isola/c1/blkio.bfq.weight=500', '/sys/fs/cgroup/blkio/isola/c1/blkio.bfq.weight_device=8:0 200']);
  });

  it('v1: without a proportional scheduler a weight is an error naming the files, and nothing is left; throttles alone work', async () => {
    const driver = await v1(['blkio'], { ioWeights: 'none' });
    await assert.rejects(driver.createCgroup({ path: 'isola/c1', limits: { blkio: { weight: 500, ...THROTTLES } } }),
      (err: CgroupError) => err.code === 'ISOLA_CGROUP_LIMIT_UNAVAILABLE' && err.controller === 'blkio' && /blkio\.bfq\.weight/.test(err.message));
    assert.equal(await fixture.exists('/sys/fs/cgroup/blkio/isola/c1'), false);
    assert.equal(await fixture.exists('/sys/fs/cgroup/pids/isola/c1'), false);
    await driver.createCgroup({ path: 'isola/c2', limits: { blkio: THROTTLES } });
    assert.equal(written('/blkio/').length, 4);
  });

  it('v1: a device weight the kernel refuses (its disk is not on BFQ) is an error naming the device, and nothing is left', async () => {
    const driver = await v1(['blkio'], { ioWeights: 'bfq' });
    const writeFile = fixture.host.writeFile;
    fixture.host.writeFile = async (path, text) => {
      if (path.endsWith('weight_device')) throw Object.assign(new Error('ENOTSUP'), { code: 'ENOTSUP' });
      return writeFile(path, text);
    };
    await assert.rejects(driver.createCgroup({ path: 'isola/c1', limits: { blkio: { weightDevices: [{ ...DEVICE, weight: 200 }] } } }),
      (err: CgroupError) => err.code === 'ISOLA_CGROUP_LIMIT_UNAVAILABLE' && /8:0/.test(err.message));
    assert.equal(await fixture.exists('/sys/fs/cgroup/blkio/isola/c1'), false);
  });

  it('v1: a leaf weight without CFQ is an error', async () => {
    const driver = await v1(['blkio'], { ioWeights: 'bfq' });
    await assert.rejects(driver.createCgroup({ path: 'isola/c1', limits: { blkio: { leafWeight: 300 } } }), { code: 'ISOLA_CGROUP_LIMIT_UNAVAILABLE' });
    assert.equal(await fixture.exists('/sys/fs/cgroup/blkio/isola/c1'), false);
  });

  it('v1: writes hugetlb limits (and their reservations where the kernel has them), the class id and interface priorities', async () => {
    await (await v1(['hugetlb', 'net_cls,net_prio'])).createCgroup({ path: 'isola/c1', limits: {
      hugetlb: [{ pageSize: '2MB', limitBytes: 4194304 }, { pageSize: '1GB', limitBytes: 0 }],
      network: { classId: 0x100001, priorities: [{ interfaceName: 'eth0', priority: 5 }, { interfaceName: 'lo', priority: 1 }] },
    } });
    const [h, n] = ['/sys/fs/cgroup/hugetlb/isola/c1', '/sys/fs/cgroup/net_cls,net_prio/isola/c1'];
    assert.deepEqual(fixture.writes, [
      `${h}/hugetlb.2MB.limit_in_bytes=4194304`, `${h}/hugetlb.2MB.rsvd.limit_in_bytes=4194304`, `${h}/hugetlb.1GB.limit_in_bytes=0`,
      `${n}/net_cls.classid=1048577`, `${n}/net_prio.ifpriomap=eth0 5`, `${n}/net_prio.ifpriomap=lo 1`,
    ]);
  });

  it('refuses a huge page size the kernel does not have, leaving nothing', async () => {
    await assert.rejects((await v1(['hugetlb'])).createCgroup({ path: 'isola/c1', limits: { hugetlb: [{ pageSize: '16GB', limitBytes: 0 }] } }),
      (err: CgroupError) => err.code === 'ISOLA_CGROUP_LIMIT_UNAVAILABLE' && err.controller === 'hugetlb');
    assert.equal(await fixture.exists('/sys/fs/cgroup/hugetlb/isola/c1'), false);
  });

  it('names a missing net_cls controller with how to mount it, before creating anything', async () => {
    await assert.rejects((await v1([])).createCgroup({ path: 'isola/c1', limits: { network: { classId: 1 } } }),
      (err: CgroupError) => err.code === 'ISOLA_CGROUP_CONTROLLER_MISSING' && err.controller === 'net_cls' && /mount -t cgroup -o net_cls/.test(err.hint ?? ''));
    assert.equal(await fixture.exists('/sys/fs/cgroup/pids/isola'), false);
  });

  it('v1: writes the realtime period, then the runtime', async () => {
    await (await v1(['cpu'])).createCgroup({ path: 'isola/c1', limits: { cpu: { periodUs: 100000, realtimePeriodUs: 1000000, realtimeRuntimeUs: 10000 } } });
    assert.deepEqual(written('.rt_'), ['/sys/fs/cgroup/cpu/isola/c1/cpu.rt_period_us=1000000', '/sys/fs/cgroup/cpu/isola/c1/cpu.rt_runtime_us=10000']);
  });

  it('v2: enables io and writes the weight converted onto io.weight, per-device weights and io.max throttles', async () => {
    await (await open({ kind: 'v2', unifiedControllers: ['pids', 'io'] })).createCgroup({ path: 'c1', limits: { blkio: { weight: 500, weightDevices: [{ ...DEVICE, weight: 10 }], ...THROTTLES } } });
    const dir = '/sys/fs/cgroup/c1';
    assert.deepEqual(fixture.writes, [
      '/sys/fs/cgroup/cgroup.subtree_control=+pids', '/sys/fs/cgroup/cgroup.subtree_control=+io',
      `${dir}/io.weight=${ioWeightFromBlkio(500)}`, `${dir}/io.weight=8:0 1`,
      `${dir}/io.max=8:0 rbps=102400`, `${dir}/io.max=8:0 wbps=204800`, `${dir}/io.max=8:0 riops=100`, `${dir}/io.max=8:0 wiops=max`,
    ]);
    assert.deepEqual([ioWeightFromBlkio(10), ioWeightFromBlkio(1000)], [1, 10000]);
  });

  it('v2: uses io.bfq.weight on blkio\'s scale where BFQ runs, and refuses leaf weights', async () => {
    const driver = await open({ kind: 'v2', unifiedControllers: ['pids', 'io'], ioWeights: 'bfq' });
    await driver.createCgroup({ path: 'c1', limits: { blkio: { weight: 500 } } });
    assert.deepEqual(written('io.'), ['/sys/fs/cgroup/c1/io.bfq.weight=500']);
    await assert.rejects(driver.createCgroup({ path: 'c2', limits: { blkio: { leafWeight: 500 } } }), { code: 'ISOLA_CGROUP_LIMIT_UNAVAILABLE' });
    assert.equal(await fixture.exists('/sys/fs/cgroup/c2'), false);
  });

  it('v2: writes hugetlb.<size>.max, and refuses realtime limits and net_cls, which v2 lacks', async () => {
    const driver = await open({ kind: 'v2', unifiedControllers: ['pids', 'cpu', 'hugetlb'] });
    await driver.createCgroup({ path: 'c1', limits: { hugetlb: [{ pageSize: '2MB', limitBytes: 2097152 }] } });
    assert.deepEqual(written('hugetlb.'), ['/sys/fs/cgroup/c1/hugetlb.2MB.max=2097152']);
    await assert.rejects(driver.createCgroup({ path: 'c2', limits: { cpu: { periodUs: 100000, realtimeRuntimeUs: 1000 } } }), { code: 'ISOLA_CGROUP_INVALID_LIMIT' });
    await assert.rejects(driver.createCgroup({ path: 'c3', limits: { network: { priorities: [{ interfaceName: 'eth0', priority: 1 }] } } }),
      (err: CgroupError) => err.code === 'ISOLA_CGROUP_CONTROLLER_MISSING' && err.controller === 'net_prio');
    assert.equal(await fixture.exists('/sys/fs/cgroup/c2'), false);
  });

  it('hybrid: puts hugetlb into the cgroup2 mount when no v1 hierarchy holds it', async () => {
    const cgroup = await (await open({ kind: 'hybrid', unifiedControllers: ['hugetlb'] }))
      .createCgroup({ path: 'isola/c1', limits: { hugetlb: [{ pageSize: '2MB', limitBytes: 0 }] } });
    assert.deepEqual(cgroup?.dirs, ['/sys/fs/cgroup/pids/isola/c1', '/sys/fs/cgroup/unified/isola/c1']);
    assert.deepEqual(written('hugetlb.'), ['/sys/fs/cgroup/unified/isola/c1/hugetlb.2MB.max=0']);
  });

  it('checks weights, page sizes and interface names before creating anything', async () => {
    const driver = await v1(['blkio', 'hugetlb', 'net_prio']);
    for (const limits of [{ blkio: { weight: 5 } }, { hugetlb: [{ pageSize: '2M', limitBytes: 0 }] },
      { network: { priorities: [{ interfaceName: 'a b', priority: 1 }] } }, { cpu: { periodUs: 100000, realtimeRuntimeUs: -2 } }]) {
      await assert.rejects(driver.createCgroup({ path: 'isola/c1', limits }), { code: 'ISOLA_CGROUP_INVALID_LIMIT' }, JSON.stringify(limits));
    }
    assert.equal(await fixture.exists('/sys/fs/cgroup/pids/isola'), false);
  });
});
