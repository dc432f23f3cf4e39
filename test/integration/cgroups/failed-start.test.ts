/**
 * A container that fails to start leaves no cgroup behind. The runtime is
 * driven directly with a cgroup path of the test's own, since the CLI does
 * not say which id a failed container had and other tests create cgroups
 * under isola/ at the same time.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { createFsCgroupHost, openCgroupDriver, type CgroupDriver } from '../../../src/cgroups/index.ts';
import { locateShim, readHostContext, runContainer, type OciConfig } from '../../../src/runtime/index.ts';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { requireRoot } from '../../helpers/requirements.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';
import { exists } from './live-container.ts';

const map = [{ containerID: 0, hostID: 100000, size: 65536 }];

function configFor(rootfs: string, cgroupsPath: string, args: readonly string[]): OciConfig {
  return {
    ociVersion: '1.3.0', root: { path: rootfs, readonly: true },
    process: { user: { uid: 0, gid: 0 }, args, cwd: '/', env: ['PATH=/usr/bin:/bin'] },
    mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }],
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'user' }, { type: 'ipc' }, { type: 'uts' }],
      uidMappings: map, gidMappings: map, cgroupsPath, resources: { pids: { limit: 10 }, memory: { limit: 64 << 20 } },
    },
  };
}

/** The host's driver, recording the directories of every cgroup it makes. */
async function recordingDriver(made: string[]): Promise<CgroupDriver> {
  const driver = await openCgroupDriver(createFsCgroupHost());
  return {
    ...driver,
    createCgroup: async (request) => {
      const cgroup = await driver.createCgroup(request);
      made.push(...cgroup?.dirs ?? []);
      return cgroup;
    },
  };
}

for (const [what, args] of [['a command that does not exist', ['/no/such/command']], ['a command that runs and exits', ['true']]] as const) {
  test(`${what} leaves no cgroup behind`, async (t) => {
    if (!requireRoot(t, 'creates real cgroups')) return;
    const rootfs = await ensureHostRootfs();
    const cgroupsPath = `isola/test-${randomBytes(8).toString('hex')}`;
    const made: string[] = [];
    await withTempDirs(async (temp) => {
      const options = {
        host: await readHostContext(process.env['PATH'] ?? ''), bundle: temp.base, shimPath: await locateShim(),
        isInteractive: false, isHostTerminalRaw: false, cgroups: await recordingDriver(made),
      };
      const start = runContainer(configFor(rootfs, cgroupsPath, args), options);
      if (args[0] === 'true') assert.deepEqual(await (await start).exited, { code: 0, signal: undefined });
      else await assert.rejects(start, { code: 'ISOLA_LAUNCH_STEP_FAILED', step: 'exec' });
      assert.ok(made.some((dir) => dir.endsWith(`/${cgroupsPath}`)), `a pids and a memory cgroup were made: ${made.join(', ')}`);
      assert.equal(made.length >= 2, true);
      for (const dir of made) assert.equal(await exists(dir), false, `${dir} is removed`);
    });
  });
}
