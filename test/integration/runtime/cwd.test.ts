/**
 * The runtime makes a missing process.cwd as runc does for a bundle: after
 * the mounts (so it lands in the filesystem mounted there), as the
 * container's root, mode 0755, whoever process.user is. Making it the user's
 * is the engine's choice (podman's), not the runtime's.
 * (/tmp is a tmpfs here: the shared rootfs fixture must stay as built.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requireRoot } from '../../helpers/requirements.ts';
import { makeBundle } from './bundle.ts';
import { runRuntime, withRuntimeRoot } from './runtime-cli.ts';

test('run makes a missing process.cwd inside a mount, owned by the container\'s root as with runc', async (t) => {
  if (!requireRoot(t)) return;
  const bundle = await makeBundle({
    args: ['sh', '-c', 'pwd; stat -c "%u:%g %a" .; stat -f -c %T .'],
    edit: (config) => ({
      ...config,
      process: { ...config.process!, cwd: '/tmp/a/b', user: { uid: 1000, gid: 1000 } },
      mounts: [...config.mounts ?? [], { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['mode=755'] }],
    }),
  });
  t.after(() => bundle.remove());
  await withRuntimeRoot(async (root) => {
    const ran = await runRuntime(['--root', root, 'run', '--bundle', bundle.dir, 'cwd1']);
    assert.equal(ran.code, 0, ran.stderr);
    assert.deepEqual(ran.stdout.trim().split('\n'), ['/tmp/a/b', '0:0 755', 'tmpfs']);
  });
});
