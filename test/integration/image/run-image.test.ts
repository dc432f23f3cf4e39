/**
 * `Engine.run({ image })`: the image's config fills in the command, environment
 * and working directory, its exposed ports and labels are recorded, and the
 * auto range grows to cover the highest id its layers use.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Engine, type RunOptions } from '../../../src/engine/index.ts';
import { buildBusyboxImage, pushWithSkopeo } from '../../fixtures/busybox-image.ts';
import { registryForFile, requireRegistry } from '../../helpers/registry-for-file.ts';
import { requireCommand, requireRoot } from '../../helpers/requirements.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';
import { runIsola } from '../../helpers/run-cli.ts';

let reference = '';

const fixture = registryForFile({
  name: 'run-image',
  setup: async ({ registry, work }) => {
    const image = await buildBusyboxImage(join(work, 'layout'), {
      highIdFile: 100000, runConfig: { Env: ['PATH=/bin', 'FROM_IMAGE=yes'], WorkingDir: '/data', ExposedPorts: { '8080/tcp': {} } },
    });
    reference = `${registry.host}/fixtures/high-ids:1`;
    await pushWithSkopeo(image, reference);
  },
});

const BASE: Omit<RunOptions, 'args'> = {
  env: [], volumes: [], tmpfs: [], isReadonlyRootfs: false, capAdd: [], capDrop: [], ulimits: [],
  isPrivileged: false, hasTerminal: false, isInteractive: false, network: 'none',
};

test('an image whose files use uid 100000 gets an auto range of 131072 ids, and its config applies', async (t) => {
  if (!requireRoot(t, 'runs a container') || !requireCommand(t, 'skopeo')
    || !requireRegistry(t)) return;
  await withTempDirs(async (dirs) => {
    // The container writes what it sees into a directory anyone may write (its root is not host root).
    const outDir = join(dirs.base, 'out');
    await mkdir(outDir);
    await chmod(outDir, 0o777);
    const engine = await Engine.open({ root: dirs.root, runroot: dirs.runroot, configFiles: [] });
    try {
      const container = await engine.run({
        ...BASE, image: reference, tlsVerify: false, volumes: [{ source: outDir, destination: '/out', isReadonly: false }],
        args: ['sh', '-c', 'cat /proc/self/uid_map > /out/out.txt; echo "$FROM_IMAGE $(pwd) $(stat -c %u owned)" >> /out/out.txt'],
      });
      assert.equal((await container.exited).code, 0);
      assert.deepEqual(container.image?.exposedPorts, ['8080/tcp']);
    } finally {
      await engine.close();
    }
    const [mapLine, seen] = (await readFile(join(outDir, 'out.txt'), 'utf8')).trim().split('\n');
    assert.equal(mapLine?.trim().split(/\s+/)[2], '131072');
    assert.equal(seen, 'yes /data 100000');
  });
});

test('an image with a zstd layer pulls, unpacks and runs', async (t) => {
  if (!requireRoot(t, 'runs a container') || !requireCommand(t, 'skopeo') || !requireRegistry(t)) return;
  const zstdReference = `${fixture.registry.host}/fixtures/zstd:1`;
  await pushWithSkopeo(await buildBusyboxImage(join(fixture.work, 'zstd'), { compression: 'zstd' }), zstdReference);
  await withTempDirs(async (dirs) => {
    const result = await runIsola([...dirs.args, 'run', '--rm', '--tls-verify=false', zstdReference, 'echo', 'zstd-ok']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'zstd-ok\n');
  });
});

test('--entrypoint on the CLI replaces the image command', async (t) => {
  if (!requireRoot(t, 'runs a container') || !requireRegistry(t)) return;
  await withTempDirs(async (dirs) => {
    const result = await runIsola([...dirs.args, 'run', '--rm', '--tls-verify=false', '--entrypoint', '/bin/echo', reference, 'entry', 'args']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'entry args\n');
  });
});
