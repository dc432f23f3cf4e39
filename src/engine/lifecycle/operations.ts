/**
 * The container operations behind the Engine's methods: each finds the
 * container (id, unique id prefix or name), repairs its row from the facts,
 * checks that the operation fits its state, and acts.
 */
import { findContainer, getContainer, isNameTaken, listContainers, updateContainer, type ContainerRecord } from '../state/index.ts';
import { Container, type ContainerOperations, type StopOptions } from './container.ts';
import { toContainerInfo, type ContainerInfo } from './container-info.ts';
import { checkContainerName, type ContainerImage, type CreateOptions, type StoredOptions } from './create-options.ts';
import { createContainer } from './create.ts';
import { ContainerError, notFound } from './errors.ts';
import type { LogLine } from './log-format.ts';
import { readLogs, type LogsOptions } from './logs.ts';
import { refreshContainer } from './refresh.ts';
import { cleanUpContainer, removeContainer } from './remove.ts';
import { anonymousVolumeRemover, collectUnusedStorage, storageRemover } from './storage-removal.ts';
import { signalNumber } from './signals.ts';
import { startContainer } from './start.ts';
import { killContainer, stopContainer, waitForContainer } from './stop.ts';
import { execInContainer, type ExecOptions } from './exec.ts';
import { pauseContainer, unpauseContainer } from './pause.ts';
import { copyIntoContainer, copyOutOfContainer } from './copy.ts';
import { attachToContainer } from './attach.ts';
import type { Socket } from 'node:net';
import { readContainerStats, type ContainerStats } from './stats.ts';
import type { LaunchedContainer } from '../../launch/index.ts';
import { DEFAULT_TOP_DESCRIPTORS, topContainer, type TopDescriptor } from './top.ts';
import type { LifecycleContext } from './context.ts';

export interface ListOptions {
  /** Stopped and created containers too. @default false: running (and paused) only */
  readonly all?: boolean | undefined;
}

export interface RemoveOptions {
  /** Stop a running container first (SIGKILL at once). @default false */
  readonly force?: boolean | undefined;
  /** Also remove its anonymous volumes (`-v /path`, the image's VOLUMEs); named ones stay. @default false */
  readonly volumes?: boolean | undefined;
}


export class LifecycleOperations implements ContainerOperations {
  readonly #ctx: LifecycleContext;

  constructor(ctx: LifecycleContext) {
    this.#ctx = ctx;
  }

  async #find(ref: string): Promise<ContainerRecord> {
    const db = await this.#ctx.db();
    const record = findContainer(db, ref);
    if (record === undefined) throw notFound(ref);
    return refreshContainer(db, record);
  }

  #handle(record: ContainerRecord): Container {
    return new Container(this, record.id, record.name);
  }

  async create(options: CreateOptions, image?: ContainerImage): Promise<Container> {
    return this.#handle(await createContainer(this.#ctx, options, image));
  }

  async start(ref: string): Promise<Container> {
    const record = await this.#find(ref);
    if (record.state === 'running' || record.state === 'paused') return this.#handle(record);
    return this.#handle(await startContainer(this.#ctx, record));
  }

  /** create + start; a container that cannot start is removed again. */
  async run(options: CreateOptions, image?: ContainerImage): Promise<Container> {
    const created = await createContainer(this.#ctx, options, image);
    try {
      return this.#handle(await startContainer(this.#ctx, created));
    } catch (error) {
      await removeContainer(await this.#ctx.db(), created, true, storageRemover(this.#ctx)).catch(() => {});
      throw error;
    }
  }

  async container(ref: string): Promise<Container> {
    return this.#handle(await this.#find(ref));
  }

  async list(options: ListOptions = {}): Promise<ContainerInfo[]> {
    const db = await this.#ctx.db();
    const records = await Promise.all(listContainers(db).map((record) => refreshContainer(db, record)));
    return records.filter((r) => options.all === true || r.state === 'running' || r.state === 'paused').map(toContainerInfo);
  }

  async inspect(ref: string): Promise<ContainerInfo> {
    return toContainerInfo(await this.#find(ref));
  }

  async *logs(ref: string, options: LogsOptions = {}): AsyncGenerator<LogLine> {
    const record = await this.#find(ref);
    const db = await this.#ctx.db();
    yield* readLogs(record, options, async () => {
      const current = getContainer(db, record.id);
      return current === undefined || (await refreshContainer(db, current)).state === 'stopped';
    });
  }

  async wait(ref: string, options: { readonly signal?: AbortSignal | undefined } = {}): Promise<number | undefined> {
    return waitForContainer(await this.#ctx.db(), await this.#find(ref), options.signal);
  }

  async stop(ref: string, options: StopOptions = {}): Promise<ContainerInfo> {
    const record = await this.#find(ref);
    const stored = JSON.parse(record.options) as StoredOptions;
    const signal = options.signal === undefined ? stored.stopSignal : signalNumber(options.signal, '--signal');
    const timeoutMs = Math.max(0, (options.timeoutSec ?? 10) * 1000);
    return toContainerInfo(await stopContainer(await this.#ctx.db(), record, signal, timeoutMs));
  }

  async kill(ref: string, signal = 'SIGKILL'): Promise<void> {
    await killContainer(await this.#ctx.db(), await this.#find(ref), signalNumber(signal, '--signal'));
  }

  async restart(ref: string, options: StopOptions = {}): Promise<Container> {
    await this.stop(ref, options);
    return this.start(ref);
  }

  async remove(ref: string, options: RemoveOptions = {}): Promise<void> {
    await removeContainer(await this.#ctx.db(), await this.#find(ref), options.force === true, storageRemover(this.#ctx),
      options.volumes === true ? anonymousVolumeRemover(this.#ctx) : undefined);
  }

  /** Removes every stopped container, then layer copies no container uses. @returns the ids removed. */
  async prune(): Promise<string[]> {
    const removed = await this.removeStopped();
    await this.collectStorage();
    return removed;
  }

  /** Removes every stopped container. @returns the ids removed. */
  async removeStopped(): Promise<string[]> {
    const removed: string[] = [];
    for (const info of await this.list({ all: true })) {
      if (info.state !== 'stopped') continue;
      await this.remove(info.id);
      removed.push(info.id);
    }
    return removed;
  }

  /** The recorded containers (running or not) that mount the named volume. */
  async volumeUsers(volume: string): Promise<{ id: string; name: string }[]> {
    const db = await this.#ctx.db();
    return listContainers(db).filter((record) => {
      const stored = JSON.parse(record.options) as StoredOptions;
      return stored.run.volumes?.some((v) => v.volumeName === volume) === true;
    }).map((record) => ({ id: record.id, name: record.name }));
  }

  /** Removes layer copies no live container uses. @returns how many */
  async collectStorage(): Promise<number> {
    return collectUnusedStorage(this.#ctx);
  }

  async rename(ref: string, newName: string): Promise<void> {
    const record = await this.#find(ref);
    const db = await this.#ctx.db();
    checkContainerName(newName);
    db.immediate(() => {
      if (isNameTaken(db, newName)) {
        throw new ContainerError('ISOLA_CONTAINER_NAME_IN_USE', `the name ${newName} is already used by a container`, newName,
          { hint: 'pick another name' });
      }
      updateContainer(db, record.id, ['creating', 'created', 'starting', 'running', 'paused', 'stopped'], { name: newName });
    });
  }

  async top(ref: string, descriptors: readonly TopDescriptor[] = DEFAULT_TOP_DESCRIPTORS): Promise<string[][]> {
    return topContainer(toContainerInfo(await this.#find(ref)), descriptors);
  }

  async exec(ref: string, options: ExecOptions): Promise<LaunchedContainer> {
    return execInContainer(this.#ctx, await this.#ctx.db(), await this.#find(ref), options);
  }

  /** Usage of running containers (these, or all running ones). */
  async stats(refs: readonly string[]): Promise<ContainerStats[]> {
    const infos = refs.length === 0 ? await this.list() : await Promise.all(refs.map((ref) => this.inspect(ref)));
    const now = Date.now();
    return Promise.all(infos.map((info) => readContainerStats(info, now)));
  }

  async attach(ref: string): Promise<Socket> {
    return attachToContainer(await this.#find(ref));
  }

  async copyInto(ref: string, hostPath: string, containerPath: string): Promise<void> {
    await copyIntoContainer(await this.inspect(ref), hostPath, containerPath);
  }

  async copyOut(ref: string, containerPath: string, hostPath: string): Promise<void> {
    await copyOutOfContainer(await this.inspect(ref), containerPath, hostPath);
  }

  async pause(ref: string): Promise<void> {
    await pauseContainer(await this.#ctx.db(), await this.#find(ref));
  }

  async unpause(ref: string): Promise<void> {
    await unpauseContainer(await this.#ctx.db(), await this.#find(ref));
  }

  /** The monitor's exit command: see cleanUpContainer. */
  async cleanUp(id: string): Promise<void> {
    const db = await this.#ctx.db();
    await cleanUpContainer(db, id, (record) => startContainer(this.#ctx, record, true), storageRemover(this.#ctx), anonymousVolumeRemover(this.#ctx));
  }
}
