/**
 * engine/: the public TypeScript API (Engine) and the state store (state/, the
 * SQLite database that keeps which container holds which host ids). It combines
 * userns, spec and runtime into container operations and returns data: it never
 * prints, reads the environment or exits the process.
 */
export { Engine } from './engine.ts';
export type { EngineOpenOptions, EngineSettings } from './settings.ts';
export type { EngineConfig } from './config/index.ts';
export type { RunOptions, RunningContainer } from './run.ts';
// The allocator's code loads only for --userns=auto (engine.ts imports it on demand).
export type { IdAllocator, IdAllocation, IdAllocationInfo, IdAllocationsReport, IdAllocatorOptions, IdPoolReport } from './id-allocator.ts';
export { StateError, type StateErrorCode } from './state/index.ts';
export type { ImageService, ImageDetails, PullOptions, PushOptions, RegistryAccessOptions } from './images.ts';
export type { ImageRecord, PullEvent, PushEvent, RemovedImage, Credentials, ImageConfig } from '../image/index.ts';
export type { VolumeInfo } from '../storage/index.ts';
export { StorageError, type StorageErrorCode } from '../storage/index.ts';
