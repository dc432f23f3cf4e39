import { IsolaError, type IsolaErrorOptions } from '../../errors/index.ts';

/** Every code unpackLayer throws, so callers can narrow on `err.code`. */
export type LayerErrorCode =
  | 'ISOLA_LAYER_TARGET_EXISTS'
  | 'ISOLA_LAYER_BLOB_UNREADABLE'
  | 'ISOLA_LAYER_DECOMPRESS_FAILED'
  | 'ISOLA_LAYER_TAR_INVALID'
  | 'ISOLA_LAYER_TAR_UNSUPPORTED'
  | 'ISOLA_LAYER_UNSAFE_PATH'
  | 'ISOLA_LAYER_UNSAFE_LINK'
  | 'ISOLA_LAYER_SYMLINK_LOOP'
  | 'ISOLA_LAYER_NOT_A_DIRECTORY'
  | 'ISOLA_LAYER_TOO_LARGE'
  | 'ISOLA_LAYER_ID_UNMAPPED'
  | 'ISOLA_LAYER_XATTR_REFUSED'
  | 'ISOLA_LAYER_MKNOD_FAILED'
  | 'ISOLA_LAYER_WRITE_FAILED'
  | 'ISOLA_LAYER_ABORTED';

export interface LayerErrorOptions extends IsolaErrorOptions {
  /** The tar entry at fault, as named in the archive. */
  readonly entry?: string | undefined;
}

/** A layer blob that cannot be unpacked, or that tried to reach outside its target. */
export class LayerError extends IsolaError {
  declare readonly code: LayerErrorCode;
  /** The layer blob's path. */
  readonly blob: string;
  readonly entry: string | undefined;

  constructor(code: LayerErrorCode, blob: string, message: string, options: LayerErrorOptions = {}) {
    super(code, `layer ${blob}: ${message}`, options);
    this.name = 'LayerError';
    this.blob = blob;
    this.entry = options.entry;
  }
}
