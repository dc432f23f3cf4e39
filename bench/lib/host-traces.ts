/**
 * Host paths the peers write outside anything a flag can redirect: podman
 * keeps runc's and crun's state in /run/runc and /run/crun and its image
 * blob cache in /var/lib/containers whatever --root says, and its cgroupfs
 * manager leaves a libpod_parent cgroup in every hierarchy. The benchmark
 * notes which of them were missing before it started and removes those
 * afterwards; ones that already existed are someone else's and stay.
 */
import { access, readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';

type Removal = 'tree' | 'empty-dir' | 'cgroup';

interface Trace {
  readonly path: string;
  readonly removal: Removal;
}

const FIXED_TRACES: readonly Trace[] = [
  { path: '/var/lib/containers', removal: 'tree' },
  { path: '/var/lib/containers/cache/blob-info-cache-v1.boltdb', removal: 'tree' },
  { path: '/run/runc', removal: 'empty-dir' },
  { path: '/run/crun', removal: 'empty-dir' },
  { path: '/run/containers', removal: 'empty-dir' },
  { path: '/run/libpod', removal: 'empty-dir' },
];

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

async function listCgroupTraces(): Promise<Trace[]> {
  const entries = await readdir('/sys/fs/cgroup', { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => ({ path: join('/sys/fs/cgroup', e.name, 'libpod_parent'), removal: 'cgroup' }));
}

/** The traces that do not exist yet, so that removing them later removes only ours. */
export async function recordMissingHostTraces(): Promise<readonly Trace[]> {
  const all = [...FIXED_TRACES, ...await listCgroupTraces()];
  const missing = await Promise.all(all.map(async (t) => (await exists(t.path) ? undefined : t)));
  return missing.filter((t) => t !== undefined);
}

/** cgroupfs refuses unlink: a cgroup goes with rmdir, children first, once it has no processes. */
async function removeCgroup(path: string): Promise<void> {
  const children = await readdir(path, { withFileTypes: true }).catch(() => []);
  for (const child of children) if (child.isDirectory()) await removeCgroup(join(path, child.name));
  await rmdir(path).catch(() => undefined); // EBUSY: a process still lives there; leave it rather than fail.
}

export async function removeHostTraces(traces: readonly Trace[]): Promise<void> {
  for (const { path, removal } of traces) {
    if (removal === 'tree') await rm(path, { recursive: true, force: true });
    else if (removal === 'cgroup') await removeCgroup(path);
    // Not empty means another user of the runtime has state there now.
    else await rmdir(path).catch(() => undefined);
  }
}
