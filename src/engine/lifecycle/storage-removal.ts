/**
 * What `rm` and an `--rm` container's cleanup remove besides the run
 * directory: a container from layers keeps its storage directory (the
 * overlay's upper and work directories) from its first start until then.
 * Rootless, those files belong to subordinate ids, so they go inside the
 * caller's user namespace.
 */
import { callerUserns, deleteContainerStorage } from '../../storage/index.ts';
import type { ContainerRecord } from '../state/index.ts';
import type { LifecycleContext } from './context.ts';
import type { StoredOptions } from './create-options.ts';
import { anonymousVolumeNames, removeAnonymousVolumes } from '../anonymous-volumes.ts';

export type StorageRemover = (record: ContainerRecord) => Promise<void>;

export function storageRemover(ctx: LifecycleContext): StorageRemover {
  return async (record) => {
    const stored = JSON.parse(record.options) as StoredOptions;
    if (stored.run.rootfsLayers === undefined) return;
    const { host } = await ctx.facts();
    const writer = host.isPrivileged ? undefined : callerUserns(host, ctx.settings.shimPath, ctx.settings.searchPath);
    await deleteContainerStorage({ root: ctx.settings.root, containerId: record.id, mountPoint: stored.run.rootfs }, writer);
  };
}

/** `rm -v` and `--rm`: the container's anonymous volumes (never its named ones). */
export function anonymousVolumeRemover(ctx: LifecycleContext): StorageRemover {
  return async (record) => {
    const stored = JSON.parse(record.options) as StoredOptions;
    await removeAnonymousVolumes(ctx.settings, await ctx.facts(), anonymousVolumeNames(stored.run.volumes));
  };
}
