/** What `ps` and `inspect` report about a container, from its row. */
import type { IdMaps } from '../../userns/index.ts';
import type { ContainerRecord, ContainerState } from '../state/index.ts';
import type { ContainerImage, StoredOptions } from './create-options.ts';
import { containerFiles } from './files.ts';

export interface HostIdRange {
  /** First host id. */
  readonly start: number;
  readonly size: number;
}

export interface ContainerInfo {
  readonly id: string;
  readonly name: string;
  readonly state: ContainerState;
  readonly rootfs: string;
  readonly command: readonly string[];
  /** Milliseconds since the epoch. */
  readonly createdMs: number;
  readonly startedMs: number | undefined;
  readonly finishedMs: number | undefined;
  /** The last exit status (128+N for signal N); undefined before the first exit, or when unknown (its monitor died). */
  readonly exitCode: number | undefined;
  /** Host pid of the container's first process while it runs. */
  readonly pid: number | undefined;
  /** Host pid of its monitor (the shim) while it runs. */
  readonly monitorPid: number | undefined;
  /** ID maps (container id, host id, size); undefined without a user namespace or before they are chosen. */
  readonly idMaps: IdMaps | undefined;
  /** The host ids the container's ids map to. */
  readonly hostUids: readonly HostIdRange[];
  readonly hostGids: readonly HostIdRange[];
  readonly runDir: string;
  readonly logPath: string;
  readonly cgroupDirs: readonly string[];
  readonly restartPolicy: string;
  readonly restartCount: number;
  readonly isAutoRemove: boolean;
  /** The image it was created from; undefined for a rootfs directory or layers given directly. */
  readonly image: ContainerImage | undefined;
  /** The options it was created with. */
  readonly options: StoredOptions;
}

export function toContainerInfo(record: ContainerRecord): ContainerInfo {
  const idMaps = record.idMaps === undefined ? undefined : (JSON.parse(record.idMaps) as IdMaps | null) ?? undefined;
  const isRunning = record.state === 'running' || record.state === 'paused';
  const options = JSON.parse(record.options) as StoredOptions;
  return {
    id: record.id, name: record.name, state: record.state, rootfs: record.rootfs, command: record.command,
    createdMs: record.createdMs, startedMs: record.startedMs, finishedMs: record.finishedMs, exitCode: record.exitCode,
    pid: isRunning ? record.process?.pid : undefined, monitorPid: isRunning ? record.monitor?.pid : undefined,
    idMaps,
    hostUids: (idMaps?.uidMap ?? []).map((e) => ({ start: e.hostId, size: e.size })),
    hostGids: (idMaps?.gidMap ?? []).map((e) => ({ start: e.hostId, size: e.size })),
    runDir: record.runDir, logPath: containerFiles(record).log, cgroupDirs: record.cgroupDirs,
    restartPolicy: record.restartPolicy, restartCount: record.restartCount, isAutoRemove: record.isAutoRemove,
    image: options.image, options,
  };
}
