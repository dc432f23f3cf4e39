/**
 * Anonymous volumes, as docker and podman make them: `-v /path` without a
 * source, and the VOLUME entries of a recorded container's image, each get a
 * volume of their own under a random 64-hex name. `rm -v` and `--rm` remove
 * them with the container; named volumes (`-v NAME:/path`) always stay.
 * A foreground run is not recorded: its anonymous volumes go when it ends.
 */
import { posix } from 'node:path';
import type { TmpfsOption, VolumeOption } from '../spec/index.ts';
import type { HostFacts } from './run.ts';
import type { EngineSettings } from './settings.ts';
import { isProcessGone } from './state/index.ts';
import { storageWriter } from './storage-writer.ts';

/** Gives each anonymous volume without a name a fresh one (its source is the name, as for `-v NAME:/path`). */
export async function nameAnonymousVolumes(volumes: readonly VolumeOption[], newName: () => Promise<string>): Promise<VolumeOption[]> {
  return Promise.all(volumes.map(async (volume) => {
    if (volume.isAnonymous !== true || volume.volumeName !== undefined) return volume;
    const name = await newName();
    return { ...volume, source: name, volumeName: name };
  }));
}

/** The image's VOLUME destinations that no `-v` or `--tmpfs` of the user's covers, as anonymous volumes. */
export function imageVolumeOptions(destinations: readonly string[], taken: { readonly volumes?: readonly VolumeOption[] | undefined;
  readonly tmpfs?: readonly TmpfsOption[] | undefined; }): VolumeOption[] {
  const clean = (path: string): string => posix.normalize(path).replace(/(.)\/+$/, '$1');
  const used = new Set([...taken.volumes ?? [], ...taken.tmpfs ?? []].map((m) => clean(m.destination)));
  const wanted = [...new Set(destinations.filter((d) => posix.isAbsolute(d)).map(clean))];
  return wanted.filter((d) => !used.has(d)).map((destination) => ({ source: '', destination, isReadonly: false, isAnonymous: true }));
}

export function anonymousVolumeNames(volumes: readonly VolumeOption[]): string[] {
  return volumes.flatMap((v) => (v.isAnonymous === true && v.volumeName !== undefined ? [v.volumeName] : []));
}

/** Removes these volumes (rootless, inside the caller's user namespace when needed); one already gone is fine. */
export async function removeAnonymousVolumes(settings: EngineSettings, facts: HostFacts, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const storage = await import('../storage/index.ts');
  const writer = await storageWriter(settings, facts.host);
  for (const name of names) {
    // An anonymous volume is its one container's: no other container can be using it.
    await storage.removeVolume(settings.root, name, { writer, isHolderGone: isProcessGone, recordedUsers: async () => [] }).catch((error: unknown) => {
      if ((error as { code?: unknown }).code !== 'ISOLA_STORAGE_VOLUME_MISSING') throw error;
    });
  }
}
