/**
 * What `rm` and an `--rm` container's cleanup remove besides the run
 * directory: a container from layers keeps its storage directory (the
 * overlay's upper and work directories) from its first start until then.
 * Rootless, those files belong to subordinate ids, so they go inside the
 * caller's user namespace.
 */
import { collectShifted, deleteContainerStorage } from '../../storage/index.ts';
import { getContainer, isProcessGone, type ContainerRecord } from '../state/index.ts';
import type { LifecycleContext } from './context.ts';
import type { StoredOptions } from './create-options.ts';
import { anonymousVolumeNames, removeAnonymousVolumes } from '../anonymous-volumes.ts';
import { storageWriter } from '../storage-writer.ts';

export type StorageRemover = (record: ContainerRecord) => Promise<void>;

export function storageRemover(ctx: LifecycleContext): StorageRemover {
  return async (record) => {
    const stored = JSON.parse(record.options) as StoredOptions;
    if (stored.run.rootfsLayers === undefined) return;
    const { host } = await ctx.facts();
    const writer = await storageWriter(ctx.settings, host);
    await deleteContainerStorage({ root: ctx.settings.root, containerId: record.id, mountPoint: stored.run.rootfs },
      { writer, isHolderGone: isProcessGone });
  };
}

/**
 * `prune`, `rmi`, `system prune`: removes the layer copies no live
 * container uses (one whose container row is gone, or whose foreground run
 * died, no longer counts) and what dead isola processes left half-done.
 * @returns the number of copies removed
 */
export async function collectUnusedStorage(ctx: LifecycleContext): Promise<number> {
  const [{ host }, db] = await Promise.all([ctx.facts(), ctx.db()]);
  const writer = await storageWriter(ctx.settings, host);
  return collectShifted(ctx.settings.root, {
    writer, isHolderGone: isProcessGone, isRecorded: (id) => getContainer(db, id) !== undefined,
  });
}

/** `rm -v` and `--rm`: the container's anonymous volumes (never its named ones). */
export function anonymousVolumeRemover(ctx: LifecycleContext): StorageRemover {
  return async (record) => {
    const stored = JSON.parse(record.options) as StoredOptions;
    await removeAnonymousVolumes(ctx.settings, await ctx.facts(), anonymousVolumeNames(stored.run.volumes));
  };
}
