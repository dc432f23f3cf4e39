/**
 * `start`: runs a created or stopped container detached. The shim stays as
 * its monitor (log file, exit file, then the cleanup command); this process
 * records the running container and may exit. The row is 'starting', held by
 * this process, while the shim starts, so a kill -9 here is repaired later.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveUser, generateConfig } from '../../spec/index.ts';
import { runContainer, type OciConfig, type StartedContainer } from '../../runtime/index.ts';
import type { IdMaps } from '../../userns/index.ts';
import { applyConfigDefaults } from '../config-defaults.ts';
import { idMapsForMode } from '../id-maps-for-mode.ts';
import { writeRuntimeFiles } from '../runtime-files.ts';
import { prepareContainerStorage, type ContainerStorage } from '../container-storage.ts';
import { userFilesRoot } from '../run.ts';
import { getContainer, readProcessIdentity, updateContainer, type ContainerRecord, type StateDb } from '../state/index.ts';
import type { StoredOptions } from './create-options.ts';
import { invalidState } from './errors.ts';
import { isolaCommand } from './isola-command.ts';
import { containerFiles } from './files.ts';
import { removeContainerCgroup } from './cgroup-dirs.ts';
import type { LifecycleContext } from './context.ts';

async function chooseIdMaps(ctx: LifecycleContext, db: StateDb, record: ContainerRecord, options: StoredOptions['run'] & { userns: NonNullable<StoredOptions['run']['userns']> }): Promise<IdMaps | undefined> {
  if (record.idMaps !== undefined) return (JSON.parse(record.idMaps) as IdMaps | null) ?? undefined;
  // Its creation was cut short before the ids were chosen.
  const { idMaps } = await idMapsForMode(options.userns, (await ctx.facts()).host, (size) => ctx.ids.allocate(size, record.id));
  updateContainer(db, record.id, ['starting'], { id_maps: JSON.stringify(idMaps ?? null) });
  return idMaps;
}

/** What a container runs with, from its stored options, as at every start. */
async function containerSetup(ctx: LifecycleContext, db: StateDb, record: ContainerRecord) {
  const stored = JSON.parse(record.options) as StoredOptions;
  const facts = await ctx.facts();
  const { options, rlimitDefaults } = applyConfigDefaults(stored.run, ctx.settings.config, facts.hardLimits);
  const keptUser = options.userns.kind === 'keep-id' ? `${facts.host.uid}:${facts.host.gid}` : undefined;
  const [user, idMaps] = await Promise.all([
    resolveUser(await userFilesRoot(stored.run), options.user ?? keptUser), chooseIdMaps(ctx, db, record, options),
  ]);
  return { stored, facts, options: { ...stored.run, ...options }, rlimitDefaults, user, idMaps };
}

type Setup = Awaited<ReturnType<typeof containerSetup>>;

async function generate(record: ContainerRecord, setup: Setup, writeFiles: boolean,
  storage?: Pick<ContainerStorage, 'rootfs' | 'volumes'>): Promise<OciConfig> {
  const { options, user, idMaps, facts, rlimitDefaults } = setup;
  const hostname = options.hostname ?? record.id.slice(0, 12);
  const runtimeFiles = writeFiles ? await writeRuntimeFiles(record.runDir, hostname)
    : { hostname: join(record.runDir, 'hostname'), hosts: join(record.runDir, 'hosts'), resolvConf: join(record.runDir, 'resolv.conf') };
  // Like docker's, a container's hostname is its short id unless given.
  const withStorage = storage === undefined ? options : { ...options, rootfs: storage.rootfs, volumes: storage.volumes };
  return generateConfig({ options: { ...withStorage, hostname }, user, idMaps, runtimeFiles, hostHardLimits: facts.hardLimits, rlimitDefaults, containerId: record.id });
}

/** The container's OCI config, generated from its stored options as at every start. */
export async function containerConfig(ctx: LifecycleContext, db: StateDb, record: ContainerRecord,
  writeFiles: boolean): Promise<{ config: OciConfig; stored: StoredOptions }> {
  const setup = await containerSetup(ctx, db, record);
  return { config: await generate(record, setup, writeFiles), stored: setup.stored };
}

async function launchDetached(ctx: LifecycleContext, db: StateDb, record: ContainerRecord): Promise<StartedContainer> {
  const files = containerFiles(record);
  const [setup, command] = await Promise.all([
    containerSetup(ctx, db, record), isolaCommand(ctx.settings), rm(files.exit, { force: true }),
    // Left by an isola killed before it recorded the cgroup: nothing of it runs (the state said so).
    removeContainerCgroup({ id: record.id, cgroupDirs: [] }),
  ]);
  const { facts, stored } = setup;
  // Its upper directory stays until `rm` (see remove.ts), whatever happens here.
  const storage = await prepareContainerStorage({
    settings: ctx.settings, facts, containerId: record.id, options: setup.options, idMaps: setup.idMaps, user: setup.user,
    isCopyForced: stored.run.isRootfsCopyForced === true, isKept: true,
  });
  const launch = async (): Promise<StartedContainer> => runContainer(await generate(record, setup, true, storage), {
    host: facts.host, bundle: record.runDir, shimPath: ctx.settings.shimPath, isInteractive: false, isHostTerminalRaw: false,
    rootfsOverlay: storage.overlay, isCwdMadeForUser: true,
    monitor: {
      exitFile: files.exit,
      log: { path: files.log, maxBytes: stored.logMaxBytes, keepFiles: 1 },
      exitCommand: [...command, 'container', 'cleanup', record.id],
      attachSocket: files.attach,
      hasStdinPipe: stored.run.isInteractive && !stored.run.hasTerminal,
    },
    onCgroupCreated: (dirs) => { updateContainer(db, record.id, ['starting'], { cgroup_dirs: JSON.stringify(dirs) }); },
  });
  return launch().catch(async (error: unknown) => {
    if (!await storage.fallBack(error)) throw error;
    return launch();
  });
}

/**
 * @param isRestart started by its restart policy: not when a stop was asked for
 * @throws ContainerError ISOLA_CONTAINER_INVALID_STATE unless it is created or
 *   stopped (or, for a restart, when stopped by the user); the errors of `run` when the container cannot start (it is then
 *   as it was: created or stopped).
 */
export async function startContainer(ctx: LifecycleContext, record: ContainerRecord, isRestart = false): Promise<ContainerRecord> {
  const [db, self] = await Promise.all([ctx.db(), ctx.self()]);
  const from = ['created', 'stopped'] as const;
  const isMine = db.immediate(() => {
    // A restart by policy yields to a `stop` that came in meanwhile; a user's start clears it.
    if (isRestart && getContainer(db, record.id)?.isStopRequested === true) return false;
    return updateContainer(db, record.id, from, {
      state: 'starting', creator_pid: self.pid, creator_start_time: self.startTime, ...(isRestart ? {} : { stop_requested: 0 }),
    });
  });
  if (!isMine) throw invalidState(record.name, getContainer(db, record.id)?.state ?? 'removed', 'start', 'only a created or stopped container can start');
  try {
    const launched = await launchDetached(ctx, db, record);
    const [process, monitor] = await Promise.all([readProcessIdentity(launched.pid), readProcessIdentity(launched.shimPid)]);
    updateContainer(db, record.id, ['starting'], {
      state: 'running', pid: launched.pid, pid_start_time: process?.startTime ?? null,
      monitor_pid: launched.shimPid, monitor_start_time: monitor?.startTime ?? null,
      started_ms: Date.now(), finished_ms: null, exit_code: null, creator_pid: null, creator_start_time: null,
      cgroup_dirs: JSON.stringify(launched.cgroupDirs),
    });
  } catch (error) {
    updateContainer(db, record.id, ['starting'], {
      state: record.startedMs === undefined ? 'created' : 'stopped', creator_pid: null, creator_start_time: null, cgroup_dirs: '[]',
    });
    throw error;
  }
  return getContainer(db, record.id)!;
}
