/**
 * The caller's user namespace writer (storage's CallerUserns): how a rootless
 * caller's storage work (copies, volumes, removals of files owned by
 * subordinate ids) runs inside the namespace holding those ids. Root needs
 * none. Derived once per host context, which an engine reads once, so every
 * part of one engine (run, lifecycle, images, volumes) shares one writer.
 */
import type { HostContext } from '../runtime/index.ts';
import type { CallerUserns } from '../storage/index.ts';
import type { EngineSettings } from './settings.ts';

const writers = new WeakMap<HostContext, Promise<CallerUserns | undefined>>();

/** undefined for a privileged caller. storage/ loads only for a rootless one. */
export function storageWriter(settings: Pick<EngineSettings, 'shimPath' | 'searchPath'>, host: HostContext): Promise<CallerUserns | undefined> {
  let writer = writers.get(host);
  if (writer === undefined) {
    writer = host.isPrivileged
      ? Promise.resolve(undefined)
      : import('../storage/index.ts').then(({ callerUserns }) => callerUserns(host, settings.shimPath, settings.searchPath));
    writers.set(host, writer);
  }
  return writer;
}
