/**
 * isola-runtime as an ordinary user: state under $XDG_RUNTIME_DIR, a map of
 * the user's own id plus its subordinate range written through newuidmap.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { requireCommand, requireRoot } from '../../helpers/requirements.ts';
import { ensureRootlessUser, rootlessSubordinateRange, runAsUser } from '../../helpers/rootless-user.ts';
import { makeBundle } from './bundle.ts';
import { runtimeBin } from './runtime-cli.ts';

test('an ordinary user runs a bundle with its own id and subordinate range, keeping state under XDG_RUNTIME_DIR', async (t) => {
  if (!requireRoot(t, 'creates the rootless test user') || !requireCommand(t, 'newuidmap')) return;
  const user = await ensureRootlessUser();
  const rootfs = await ensureHostRootfs();
  const map = [{ containerID: 0, hostID: user.uid, size: 1 },
    { containerID: 1, hostID: rootlessSubordinateRange.start, size: rootlessSubordinateRange.count }];
  const gmap = [{ containerID: 0, hostID: user.gid, size: 1 },
    { containerID: 1, hostID: rootlessSubordinateRange.start, size: rootlessSubordinateRange.count }];
  const bundle = await makeBundle({
    args: ['sh', '-c', 'cat /proc/self/uid_map; exit 4'],
    edit: (c) => ({ ...c, root: { path: rootfs }, linux: { ...c.linux, uidMappings: map, gidMappings: gmap } }),
  });
  const scripts = await mkdtemp(join(tmpdir(), 'isola-rt-rootless-'));
  try {
    await chmod(scripts, 0o755);
    const script = join(scripts, 'detached.sh');
    // Output to /dev/null: a detached container would hold the test's pipes open.
    await writeFile(script, `"${runtimeBin}" run -d --bundle "${bundle.dir}" rl2 >/dev/null 2>&1 || exit 1
ls "$XDG_RUNTIME_DIR/isola-runtime"
"${runtimeBin}" delete --force rl2
`, { mode: 0o755 });
    const run = await runAsUser(user, [runtimeBin, 'run', '--bundle', bundle.dir, 'rl1']);
    assert.equal(run.code, 4, run.stderr);
    assert.deepEqual(run.stdout.trim().split(/\s+/).map(Number), [0, user.uid, 1, 1, rootlessSubordinateRange.start, rootlessSubordinateRange.count]);
    const detached = await runAsUser(user, ['sh', script]);
    assert.equal(detached.code, 0, detached.stderr);
    assert.equal(detached.stdout, 'rl2\n');
  } finally {
    await rm(scripts, { recursive: true, force: true });
    await bundle.remove();
  }
});
