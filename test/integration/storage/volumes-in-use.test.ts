/**
 * A named volume a container uses, running or stopped, is not removed from
 * under it (podman's "volume is being used by the following container(s)"):
 * `volume rm` refuses naming the containers, `volume rm -f` removes them
 * first, `volume prune` and `system prune --volumes` skip volumes in use.
 * A foreground run, which is not recorded, counts while it runs.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Engine } from '../../../src/engine/index.ts';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { isolaIn, psJson } from '../../helpers/detached.ts';
import { requireRoot } from '../../helpers/requirements.ts';
import { runIsola } from '../../helpers/run-cli.ts';
import { withBarrier } from '../../helpers/barrier.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';

const MAP = ['--uidmap', '0:730000:65536', '--gidmap', '0:730000:65536'];

async function volumeNames(root: string): Promise<string[]> {
  return (await readdir(join(root, 'volumes')).catch(() => [] as string[])).filter((n) => !n.startsWith('.'));
}

describe('volumes in use', () => {
  test('rm refuses a volume a stopped container uses, naming it; rm -f removes the container and the volume', async (t) => {
    if (!requireRoot(t)) return;
    await withTempDirs(async (dirs) => {
      const isola = isolaIn(dirs);
      await isola.ok('run', '-d', '--name', 'user1', ...MAP, '--rootfs', await ensureHostRootfs(), '-v', 'shared:/data', '--', 'true');
      await isola.ok('wait', 'user1');
      const refused = await isola('volume', 'rm', 'shared');
      assert.equal(refused.code, 125);
      assert.match(refused.stderr, /volume shared is being used by the following container\(s\): user1/);
      assert.deepEqual(await volumeNames(dirs.root), ['shared']);
      assert.equal((await psJson(isola)).length, 1, 'the container is untouched');
      assert.equal(await isola.ok('volume', 'rm', '-f', 'shared'), 'shared\n');
      assert.deepEqual(await psJson(isola), []);
      assert.deepEqual(await volumeNames(dirs.root), []);
    });
  });

  test('the engine refuses with ISOLA_STORAGE_VOLUME_IN_USE and the containers as data', async (t) => {
    if (!requireRoot(t)) return;
    await withTempDirs(async (dirs) => {
      const engine = await Engine.open({ root: dirs.root, runroot: dirs.runroot });
      try {
        await engine.create({ name: 'holder', rootfs: await ensureHostRootfs(), cmd: ['true'], volumes: [{ source: 'v', destination: '/v', volumeName: 'v', isReadonly: false }] });
        await engine.createVolume('v');
        await assert.rejects(engine.removeVolume('v'), { code: 'ISOLA_STORAGE_VOLUME_IN_USE', containers: ['holder'] });
        await engine.remove('holder');
        await engine.removeVolume('v');
        assert.deepEqual(await engine.listVolumes(), []);
      } finally {
        await engine.close();
      }
    });
  });

  test('a foreground run holds its volume while it runs, and not after', async (t) => {
    if (!requireRoot(t)) return;
    await withBarrier((barrier) => withTempDirs(async (dirs) => {
      const run = runIsola([...dirs.args, 'run', '--rm', ...MAP, '--rootfs', await ensureHostRootfs(), '-v', 'busy:/data', ...barrier.volume,
        '--', 'sh', '-c', barrier.arriveAndWait('started')]);
      await barrier.waitForArrivals(1);
      const refused = await runIsola([...dirs.args, 'volume', 'rm', 'busy']);
      assert.equal(refused.code, 125);
      assert.match(refused.stderr, /volume busy is being used by the following container\(s\): [0-9a-f]{64}/);
      const pruned = await runIsola([...dirs.args, 'volume', 'prune']);
      assert.equal(pruned.code, 0, pruned.stderr);
      assert.equal(pruned.stdout, '');
      await barrier.release();
      assert.equal((await run).code, 0);
      assert.equal((await runIsola([...dirs.args, 'volume', 'rm', 'busy'])).code, 0);
      assert.deepEqual(await volumeNames(dirs.root), []);
    }));
  });

  test('volume prune and system prune --volumes remove only volumes no container uses', async (t) => {
    if (!requireRoot(t)) return;
    await withTempDirs(async (dirs) => {
      const isola = isolaIn(dirs);
      await isola.ok('volume', 'create', 'unused');
      await isola.ok('volume', 'create', 'unused2');
      await isola.ok('create', '--name', 'keeper', ...MAP, '--rootfs', await ensureHostRootfs(), '-v', 'kept:/data', '--', 'true');
      await isola.ok('volume', 'create', 'kept');
      assert.equal(await isola.ok('volume', 'prune'), 'unused\nunused2\n');
      assert.deepEqual(await volumeNames(dirs.root), ['kept']);
      // The created container is not stopped: system prune keeps it, and so its volume.
      assert.doesNotMatch(await isola.ok('system', 'prune', '--volumes'), /kept/);
      await isola.ok('rm', 'keeper');
      assert.match(await isola.ok('system', 'prune', '--volumes'), /Deleted Volumes\nkept\n/);
      assert.deepEqual(await volumeNames(dirs.root), []);
    });
  });
});
