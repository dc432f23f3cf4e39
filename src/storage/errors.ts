import { IsolaError, type IsolaErrorOptions } from '../errors/index.ts';

/** Every code this folder throws, so callers can narrow on `err.code`. */
export type StorageErrorCode =
  | 'ISOLA_STORAGE_LAYER_MISSING'
  | 'ISOLA_STORAGE_COPY_FAILED'
  | 'ISOLA_STORAGE_HELPER_FAILED'
  | 'ISOLA_STORAGE_VOLUME_NAME'
  | 'ISOLA_STORAGE_VOLUME_EXISTS'
  | 'ISOLA_STORAGE_VOLUME_MISSING'
  | 'ISOLA_STORAGE_VOLUME_IN_USE';

export interface StorageErrorOptions extends IsolaErrorOptions {
  /** The file, layer or volume at fault. */
  readonly path?: string | undefined;
  /** The containers (names or ids) using the volume, for ISOLA_STORAGE_VOLUME_IN_USE. */
  readonly containers?: readonly string[] | undefined;
}

export class StorageError extends IsolaError {
  declare readonly code: StorageErrorCode;
  readonly path: string | undefined;
  readonly containers: readonly string[] | undefined;

  constructor(code: StorageErrorCode, message: string, options: StorageErrorOptions = {}) {
    super(code, message, options);
    this.name = 'StorageError';
    this.path = options.path;
    this.containers = options.containers;
  }
}
