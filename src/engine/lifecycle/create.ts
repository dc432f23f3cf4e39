/**
 * `create`: a container recorded in the state database with its options and
 * its host ids, and no process yet. The row is inserted first ('creating',
 * held by this process), so an isola killed half-way leaves a row that the
 * next command repairs and `rm` removes, with the ids it may hold.
 */
import { join } from 'node:path';
import { checkOptions, resolveUser } from '../../spec/index.ts';
import { applyConfigDefaults } from '../config-defaults.ts';
import { checkUlimitsWithinHost } from '../host-limits.ts';
import { idMapsForMode } from '../id-maps-for-mode.ts';
import { nameAnonymousVolumes } from '../anonymous-volumes.ts';
import { newContainerId, userFilesRoot } from '../run.ts';
import { deleteContainer, getContainer, insertContainer, isNameTaken, updateContainer, type ContainerRecord, type StateDb } from '../state/index.ts';
import { normalizeCreateOptions, restartText, type ContainerImage, type CreateOptions } from './create-options.ts';
import { ContainerError } from './errors.ts';
import { generateName } from './names.ts';
import type { LifecycleContext } from './context.ts';

function nameInUse(name: string): ContainerError {
  return new ContainerError('ISOLA_CONTAINER_NAME_IN_USE', `the name ${name} is already used by a container`, name,
    { hint: 'pick another --name, or remove or rename that container' });
}

function pickName(db: StateDb, requested: string | undefined, id: string): string {
  if (requested !== undefined) return requested;
  for (let attempt = 0; attempt < 10; attempt++) {
    const name = generateName();
    if (!isNameTaken(db, name)) return name;
  }
  return `isola_${id.slice(0, 12)}`;
}

/**
 * @throws ContainerError ISOLA_CONTAINER_NAME_IN_USE; InvalidOptionError and the
 *   errors of `run` for options it cannot run; nothing is left behind then.
 */
export async function createContainer(ctx: LifecycleContext, requested: CreateOptions, image?: ContainerImage): Promise<ContainerRecord> {
  const named = { ...requested, volumes: await nameAnonymousVolumes(requested.volumes ?? [], newContainerId) };
  const normalized = normalizeCreateOptions(named, image);
  const { name: requestedName, restart, isAutoRemove } = normalized;
  const [db, facts, self, id] = await Promise.all([ctx.db(), ctx.facts(), ctx.self(), newContainerId()]);
  const runDir = join(ctx.settings.runroot, 'containers', id);
  // An overlay of layers is mounted here, in the container's namespace only, at each start.
  const stored = normalized.stored.run.rootfsLayers === undefined ? normalized.stored
    : { ...normalized.stored, run: { ...normalized.stored.run, rootfs: join(runDir, 'rootfs') } };
  const { options } = applyConfigDefaults(stored.run, ctx.settings.config, facts.hardLimits);
  // Every check that needs no ids first, so bad input records nothing.
  checkOptions(options);
  checkUlimitsWithinHost(options.ulimits, facts.hardLimits);
  const keptUser = options.userns.kind === 'keep-id' ? `${facts.host.uid}:${facts.host.gid}` : undefined;
  await resolveUser(await userFilesRoot(options), options.user ?? keptUser);
  // Picked under the write lock: a concurrent create cannot take it meanwhile.
  db.immediate(() => {
    const name = pickName(db, requestedName, id);
    if (isNameTaken(db, name)) throw nameInUse(name);
    insertContainer(db, {
      id, name, rootfs: options.rootfs, command: options.args, options: JSON.stringify(stored),
      runDir, createdMs: Date.now(), creator: self,
      restartPolicy: restartText(restart), restartMax: restart.name === 'on-failure' ? restart.maxRetries ?? 0 : 0, isAutoRemove,
    });
  });

  try {
    // The allocation names this container, whose row now owns it until `rm`.
    const { idMaps } = await idMapsForMode(options.userns, facts.host, (size) => ctx.ids.allocate(size, id));
    updateContainer(db, id, ['creating'], { state: 'created', id_maps: JSON.stringify(idMaps ?? null), creator_pid: null, creator_start_time: null });
  } catch (error) {
    db.immediate(() => deleteContainer(db, id));
    throw error;
  }
  return getContainer(db, id)!;
}
