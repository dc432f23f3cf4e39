/**
 * Rootless: an ordinary user pulls an image into its own root (layers unpacked
 * with user-xattr whiteouts) and runs it, root inside and its own subordinate
 * ids outside.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { buildBusyboxImage, pushWithSkopeo } from '../../fixtures/busybox-image.ts';
import { registryForFile, requireRegistry } from '../../helpers/registry-for-file.ts';
import { requireCommand, requireRoot } from '../../helpers/requirements.ts';
import { ensureRootlessUser, rootlessSubordinateRange } from '../../helpers/rootless-user.ts';
import { runIsola } from '../../helpers/run-cli.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';

let reference = '';

registryForFile({
  name: 'rootless-images',
  setup: async ({ registry, work }) => {
    reference = `${registry.host}/fixtures/busybox:rootless`;
    await pushWithSkopeo(await buildBusyboxImage(join(work, 'layout')), reference);
  },
});

test('an ordinary user pulls an image, runs it as root inside its subordinate range, and removes it', async (t) => {
  if (!requireRoot(t, 'creates the rootless test user') || !requireCommand(t, 'skopeo') || !requireCommand(t, 'newuidmap')
    || !requireRegistry(t)) return;
  const user = await ensureRootlessUser().catch(() => ensureRootlessUser());
  await withTempDirs(async (dirs) => {
    const pulled = await runIsola([...dirs.args, 'pull', '--tls-verify=false', reference], { user });
    assert.equal(pulled.code, 0, pulled.stderr);
    const ran = await runIsola([...dirs.args, 'run', '--rm', '--pull=never', reference, 'sh', '-c', 'id -u; cat /proc/self/uid_map'], { user });
    assert.equal(ran.code, 0, ran.stderr);
    const [uid, ...mapLines] = ran.stdout.trim().split('\n');
    assert.equal(uid, '0');
    const outside = Number(mapLines[0]?.trim().split(/\s+/)[1]);
    assert.ok(outside >= rootlessSubordinateRange.start && outside < rootlessSubordinateRange.start + rootlessSubordinateRange.count,
      `container root maps into the user's subordinate range: ${mapLines.join(' | ')}`);
    const removed = await runIsola([...dirs.args, 'rmi', reference], { user });
    assert.equal(removed.code, 0, removed.stderr);
    assert.deepEqual(await readdir(join(dirs.root, 'images', 'layers')), []);
    assert.deepEqual(await readdir(join(dirs.root, 'images', 'tmp')), []);
  }, { owner: user });
});
