/**
 * storage/ owns container root filesystems and volumes on disk: the overlay
 * of an image's layers plus a writable upper directory per container, which
 * way the layers get the container's ids (ID-mapped lower mounts, made by the
 * shim, or the chowned-copy fallback shared per layer and map while
 * containers use it, rootless
 * inside a user namespace holding the caller's subordinate ids), and named
 * volumes under <root>/volumes. It decides and prepares directories; it
 * mounts nothing itself: the overlay and ID-mapped mounts are plan records
 * the shim carries out in the container's mount namespace only.
 */
export { StorageError, type StorageErrorCode, type StorageErrorOptions } from './errors.ts';
export {
  FALLBACK_NOTE, containerStorageDir, deleteContainerStorage, prepareRootfs, removeContainerStorage,
  type CallerUserns, type PreparedRootfs, type RootfsMethod, type RootfsRequest,
} from './rootfs.ts';
export { callerUserns } from './caller-userns.ts';
export { addShiftedHolders, collectShifted, type CopyUseCheck } from './shifted-cache.ts';
export type { UseHolder } from './use-files.ts';
export { copyShifted, type CopyStats } from './shifted-copy.ts';
export { idShift, shiftId, OVERFLOW_ID, type IdShift, type ShiftTable } from './id-shift.ts';
export type { UsernsJob } from './userns-job.ts';
export {
  addVolumeHolders, createVolume, ensureVolume, inspectVolume, listVolumes, releaseVolumes, removeVolume,
  type VolumeInfo, type VolumeOwner, type VolumeRemoval, type VolumeUse,
} from './volumes.ts';
export { chownTree } from './shifted-copy.ts';
