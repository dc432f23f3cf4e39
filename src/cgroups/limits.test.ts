import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeCgroupPath, ancestorPaths } from './cgroup-path.ts';
import { checkLimits, requestedControllers } from './limits.ts';
import { createDriver } from './driver.ts';
import type { CgroupLayout } from './layout.ts';

describe('checkLimits', () => {
  it('accepts limits the kernel takes', () => {
    checkLimits({ pidsMax: 1, memory: { limitBytes: 4096, swapLimitBytes: 4096 }, cpu: { quotaUs: 1000, periodUs: 1_000_000 } });
  });

  for (const [title, limits] of [
    ['a pids limit of 0', { pidsMax: 0 }],
    ['a fractional pids limit', { pidsMax: 2.5 }],
    ['a negative memory limit', { memory: { limitBytes: -1 } }],
    ['memory plus swap below the memory limit', { memory: { limitBytes: 8192, swapLimitBytes: 4096 } }],
    ['a cpu period above one second', { cpu: { quotaUs: 1000, periodUs: 1_000_001 } }],
    ['a cpu quota below 1 ms', { cpu: { quotaUs: 999, periodUs: 100000 } }],
  ] as const) {
    it(`refuses ${title}`, () => {
      assert.throws(() => checkLimits(limits), { code: 'ISOLA_CGROUP_INVALID_LIMIT' });
    });
  }
});

describe('requestedControllers', () => {
  it('lists the controllers whose limits are set', () => {
    assert.deepEqual(requestedControllers({}), []);
    assert.deepEqual(requestedControllers({ cpu: { quotaUs: 1000, periodUs: 1000 }, pidsMax: 4 }), ['pids', 'cpu']);
  });
});

describe('normalizeCgroupPath', () => {
  it('reads absolute and relative paths alike, below the root', () => {
    assert.equal(normalizeCgroupPath('/isola/c1'), 'isola/c1');
    assert.equal(normalizeCgroupPath('isola//c1/'), 'isola/c1');
    assert.deepEqual(ancestorPaths('a/b/c'), ['a', 'a/b']);
  });

  for (const path of ['/', '', 'isola/../../etc', './c1', 'system.slice:isola:c1']) {
    it(`refuses ${JSON.stringify(path)}`, () => {
      assert.throws(() => normalizeCgroupPath(path), { code: 'ISOLA_CGROUP_INVALID_PATH' });
    });
  }
});

describe('a host without cgroups', () => {
  const layout: CgroupLayout = { kind: 'none', v1Mounts: new Map(), unifiedMount: undefined, unifiedControllers: [], selfPaths: new Map() };

  it('runs a container without limits with no cgroup', async () => {
    assert.equal(await createDriver('none', layout, []).createCgroup({ path: 'isola/c1', limits: {} }), undefined);
  });

  it('names the controller a limit needs', async () => {
    await assert.rejects(createDriver('none', layout, []).createCgroup({ path: 'isola/c1', limits: { pidsMax: 5 } }),
      { code: 'ISOLA_CGROUP_CONTROLLER_MISSING', controller: 'pids' });
  });
});
