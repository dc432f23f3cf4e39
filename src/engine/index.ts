/**
 * engine/: the public TypeScript API (Engine) and the state store (state/, the
 * SQLite database that keeps which container holds which host ids). It combines
 * userns, spec and runtime into container operations and returns data: it never
 * prints, reads the environment or exits the process.
 */
export { Engine, type DetachedRunOptions, type SystemPruneReport } from './engine.ts';
export { Container, type StopOptions } from './lifecycle/container.ts';
export type { ContainerInfo, HostIdRange } from './lifecycle/container-info.ts';
export type { CreateOptions, RestartPolicy } from './lifecycle/create-options.ts';
export { ContainerError, type ContainerErrorCode } from './lifecycle/errors.ts';
export type { LogLine } from './lifecycle/log-format.ts';
export type { LogsOptions } from './lifecycle/logs.ts';
export type { ListOptions, RemoveOptions } from './lifecycle/operations.ts';
export { DEFAULT_TOP_DESCRIPTORS, TOP_DESCRIPTORS, checkTopDescriptors, type TopDescriptor } from './lifecycle/top.ts';
export type { ExecOptions } from './lifecycle/exec.ts';
export type { ContainerStats } from './lifecycle/stats.ts';
export type { LaunchedContainer, ExitStatus } from '../launch/index.ts';
export { signalNumber } from './lifecycle/signals.ts';
export type { EngineOpenOptions, EngineSettings } from './settings.ts';
export type { EngineConfig } from './config/index.ts';
export type { RunOptions, RunningContainer, RunTakeoverOptions } from './run.ts';
/** For a takeover's failure command (RunOptions.takeover): the ShimError its start failed with. */
export { explainTakeoverFailure as explainLaunchFailure } from '../runtime/index.ts';
// The allocator's code loads only for --userns=auto (engine.ts imports it on demand).
export type { IdAllocator, IdAllocation, IdAllocationInfo, IdAllocationsReport, IdAllocatorOptions, IdPoolReport } from './id-allocator.ts';
export { StateError, type StateErrorCode } from './state/index.ts';
export type { ImageService, ImageDetails, ImportImageOptions, PullOptions, PushOptions, RegistryAccessOptions } from './images.ts';
export type { ImageRecord, PullEvent, PushEvent, RemovedImage, Credentials, ImageConfig } from '../image/index.ts';
// Types only: a value export would load all of storage/ (and node:worker_threads)
// for every command; a run from a plain --rootfs never needs it. Storage
// failures are IsolaErrors with ISOLA_STORAGE_* codes.
export type { StorageError, StorageErrorCode, VolumeInfo } from '../storage/index.ts';
