import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OciConfig, OciResources } from './oci-config.ts';
import { cgroupLimitsFromResources, cgroupRequestFromConfig } from './cgroup-request.ts';

const NO_EXTRAS = { blkio: undefined, hugetlb: undefined, network: undefined };

describe('cgroupLimitsFromResources', () => {
  it('turns pids, memory and cpu into kernel limits, with the default CFS period', () => {
    const limits = cgroupLimitsFromResources({ pids: { limit: 10 }, memory: { limit: 1 << 26, swap: 1 << 27 }, cpu: { quota: 150000 } });
    const memory = { limitBytes: 1 << 26, swapLimitBytes: 1 << 27, reservationBytes: undefined, kernelBytes: undefined, kernelTcpBytes: undefined,
      swappiness: undefined, isOomKillerDisabled: undefined };
    assert.deepEqual(limits, {
      pidsMax: 10, memory, cpu: { quotaUs: 150000, shares: undefined, periodUs: 100000, realtimeRuntimeUs: undefined, realtimePeriodUs: undefined },
      cpuset: undefined, ...NO_EXTRAS,
    });
  });

  it('reads -1 and a pids limit of 0 as no limit, which needs no controller', () => {
    const limits = cgroupLimitsFromResources({ pids: { limit: 0 }, memory: { limit: -1, swap: -1 }, cpu: { quota: -1, period: 100000 } });
    assert.deepEqual(limits, { pidsMax: undefined, memory: undefined, cpu: undefined, cpuset: undefined, ...NO_EXTRAS });
  });

  it('ignores empty device rules, hugepage limits, block I/O and network sections, and zero weights', () => {
    assert.deepEqual(cgroupLimitsFromResources({ devices: [], hugepageLimits: [], unified: {}, blockIO: { weight: 0, weightDevice: [] }, network: { priorities: [] } }),
      { pidsMax: undefined, memory: undefined, cpu: undefined, cpuset: undefined, ...NO_EXTRAS });
  });

  it('turns block I/O weights and throttles into blkio limits, 0 weights left unset as runc reads them', () => {
    const blkio = cgroupLimitsFromResources({ blockIO: {
      weight: 500, weightDevice: [{ major: 8, minor: 0, weight: 300, leafWeight: 0 }, { major: 8, minor: 16, weight: 0 }],
      throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1024 }], throttleWriteIOPSDevice: [{ major: 8, minor: 0, rate: 50 }],
    } }).blkio;
    assert.deepEqual(blkio, {
      weight: 500, leafWeight: undefined, weightDevices: [{ major: 8, minor: 0, weight: 300, leafWeight: undefined }],
      readBpsDevices: [{ major: 8, minor: 0, rate: 1024 }], writeBpsDevices: undefined, readIopsDevices: undefined,
      writeIopsDevices: [{ major: 8, minor: 0, rate: 50 }],
    });
  });

  it('turns hugepage limits, the net_cls class id and net_prio priorities into limits', () => {
    const limits = cgroupLimitsFromResources({ hugepageLimits: [{ pageSize: '2MB', limit: 1 << 21 }], network: { classID: 0x100001, priorities: [{ name: 'eth0', priority: 5 }] } });
    assert.deepEqual(limits.hugetlb, [{ pageSize: '2MB', limitBytes: 1 << 21 }]);
    assert.deepEqual(limits.network, { classId: 0x100001, priorities: [{ interfaceName: 'eth0', priority: 5 }] });
  });

  it('turns a realtime runtime and period into cpu limits, which need the cpu controller alone', () => {
    assert.deepEqual(cgroupLimitsFromResources({ cpu: { realtimeRuntime: 10000, realtimePeriod: 1000000 } }).cpu,
      { quotaUs: undefined, shares: undefined, periodUs: 100000, realtimeRuntimeUs: 10000, realtimePeriodUs: 1000000 });
  });

  for (const [title, resources] of [
    ['device rules', { devices: [{ allow: false, access: 'rwm' }] }],
    ['swap without a memory limit', { memory: { swap: 1 << 26 } }],
    ['unified cgroup v2 files', { unified: { 'memory.high': '1G' } }],
    ['rdma limits', { rdma: { mlx5_0: { hcaHandles: 1 } } } as unknown as OciResources],
  ] as const) {
    it(`refuses ${title} it cannot enforce`, () => {
      assert.throws(() => cgroupLimitsFromResources(resources), { code: 'ISOLA_RUNTIME_UNSUPPORTED' });
    });
  }

  it('accepts device rules only when the caller handles them', () => {
    const resources = { devices: [{ allow: false, access: 'rwm' }], pids: { limit: 5 } };
    assert.equal(cgroupLimitsFromResources(resources, { areDeviceRulesHandled: true }).pidsMax, 5);
    assert.throws(() => cgroupLimitsFromResources(resources, { areDeviceRulesHandled: false }), { code: 'ISOLA_RUNTIME_UNSUPPORTED' });
  });

  it('accepts cpu shares of 1024, the kernel default, as containerd sends them', () => {
    assert.deepEqual(cgroupLimitsFromResources({ cpu: { shares: 1024 } }).cpu, undefined);
  });

  it('turns cpu shares and the cpuset into limits, with the default period', () => {
    const limits = cgroupLimitsFromResources({ cpu: { shares: 2048, cpus: '0-1', mems: '0' } });
    assert.deepEqual([limits.cpu, limits.cpuset], [
      { quotaUs: undefined, shares: 2048, periodUs: 100000, realtimeRuntimeUs: undefined, realtimePeriodUs: undefined }, { cpus: '0-1', mems: '0' },
    ]);
  });

  it('turns a reservation, swappiness, kernel limits and a disabled OOM killer into memory limits, also without a limit', () => {
    const limits = cgroupLimitsFromResources({ memory: { reservation: 1 << 25, swappiness: 0, kernelTCP: 1 << 24, disableOOMKiller: true } });
    assert.deepEqual(limits.memory, { limitBytes: undefined, swapLimitBytes: undefined, reservationBytes: 1 << 25, kernelBytes: undefined,
      kernelTcpBytes: 1 << 24, swappiness: 0, isOomKillerDisabled: true });
    assert.equal(cgroupLimitsFromResources({ memory: { disableOOMKiller: false } }).memory, undefined);
  });

  it('refuses a negative limit other than -1', () => {
    assert.throws(() => cgroupLimitsFromResources({ pids: { limit: -5 } }), { code: 'ISOLA_RUNTIME_INVALID_CONFIG' });
  });
});

describe('cgroupRequestFromConfig', () => {
  it('uses linux.cgroupsPath, or the fallback when the config names none', () => {
    const config: OciConfig = { ociVersion: '1.3.0', linux: { cgroupsPath: 'isola/abc', resources: { pids: { limit: 3 } } } };
    assert.equal(cgroupRequestFromConfig(config, 'isola/fallback').path, 'isola/abc');
    assert.equal(cgroupRequestFromConfig({ ociVersion: '1.3.0' }, 'isola/fallback').path, 'isola/fallback');
  });
});
