import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { makeCgroupFixture, type CgroupFixture, type FixtureOptions } from './cgroup-fixture.test-helper.ts';
import type { CgroupError } from './errors.ts';
import { openCgroupDriver } from './open-driver.ts';

describe('the hybrid driver', () => {
  let fixture: CgroupFixture;
  afterEach(() => fixture.cleanup());
  const open = async (options: Partial<FixtureOptions> = {}) => {
    fixture = await makeCgroupFixture({ kind: 'hybrid', ...options });
    return openCgroupDriver(fixture.host);
  };

  it('uses the v1 hierarchies and leaves a controller-less cgroup2 mount alone', async () => {
    const driver = await open();
    assert.equal(driver.kind, 'hybrid');
    assert.deepEqual(driver.controllers, ['pids', 'memory', 'cpu']);
    const cgroup = await driver.createCgroup({ path: 'isola/c1', limits: { pidsMax: 10 } });
    assert.deepEqual(cgroup?.procsFiles, ['/sys/fs/cgroup/pids/isola/c1/cgroup.procs']);
    assert.equal(await fixture.exists('/sys/fs/cgroup/unified/isola'), false);
  });

  it('puts a controller no v1 hierarchy holds into the cgroup2 mount', async () => {
    const driver = await open({ v1Hierarchies: ['memory', 'cpu'], unifiedControllers: ['pids'] });
    const cgroup = await driver.createCgroup({ path: 'isola/c1', limits: { pidsMax: 10, memory: { limitBytes: 1 << 26 } } });
    assert.deepEqual(cgroup?.procsFiles, ['/sys/fs/cgroup/memory/isola/c1/cgroup.procs', '/sys/fs/cgroup/unified/isola/c1/cgroup.procs']);
    assert.equal(await fixture.read('/sys/fs/cgroup/unified/isola/c1/pids.max'), '10');
    assert.equal(await fixture.read('/sys/fs/cgroup/memory/isola/c1/memory.limit_in_bytes'), String(1 << 26));
  });

  it('removes the v1 cgroups again when the cgroup2 part fails', async () => {
    const driver = await open({ v1Hierarchies: ['memory', 'cpu'], unifiedControllers: ['pids'] });
    const writeFile = fixture.host.writeFile;
    fixture.host.writeFile = async (path, text) => {
      if (path.endsWith('/pids.max')) throw Object.assign(new Error('EINVAL'), { code: 'EINVAL' });
      return writeFile(path, text);
    };
    await assert.rejects(driver.createCgroup({ path: 'isola/c1', limits: { pidsMax: 10, memory: { limitBytes: 1 << 26 } } }),
      (err: CgroupError) => err.code === 'ISOLA_CGROUP_WRITE_FAILED' && err.controller === 'pids');
    assert.equal(await fixture.exists('/sys/fs/cgroup/memory/isola/c1'), false);
    assert.equal(await fixture.exists('/sys/fs/cgroup/unified/isola/c1'), false);
  });

  it('names a controller neither half offers', async () => {
    const driver = await open({ v1Hierarchies: ['pids', 'memory'] });
    await assert.rejects(driver.createCgroup({ path: 'isola/c1', limits: { cpu: { quotaUs: 50000, periodUs: 100000 } } }),
      (err: CgroupError) => err.code === 'ISOLA_CGROUP_CONTROLLER_MISSING' && err.controller === 'cpu');
  });

  it('removes every part, v1 and cgroup2, on remove', async () => {
    const driver = await open({ v1Hierarchies: ['memory'], unifiedControllers: ['pids'] });
    const cgroup = await driver.createCgroup({ path: 'isola/c1', limits: { memory: { limitBytes: 1 << 26 } } });
    await cgroup?.remove();
    assert.equal(await fixture.exists('/sys/fs/cgroup/memory/isola/c1'), false);
    assert.equal(await fixture.exists('/sys/fs/cgroup/unified/isola/c1'), false);
  });
});
