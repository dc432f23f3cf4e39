import { IsolaError, type IsolaErrorOptions } from '../errors/index.ts';

/** Every code this folder throws, so callers can narrow on `err.code`. */
export type UsernsErrorCode =
  | 'ISOLA_USERNS_MAP_EMPTY'
  | 'ISOLA_USERNS_MAP_TOO_MANY_LINES'
  | 'ISOLA_USERNS_MAP_TOO_LONG'
  | 'ISOLA_USERNS_MAP_ZERO_LENGTH'
  | 'ISOLA_USERNS_MAP_OUT_OF_RANGE'
  | 'ISOLA_USERNS_MAP_OVERLAP'
  | 'ISOLA_USERNS_MAP_NOT_ALLOWED'
  | 'ISOLA_USERNS_PROC_MAP_MALFORMED'
  | 'ISOLA_USERNS_SUBID_MALFORMED'
  | 'ISOLA_USERNS_SUBID_UNREADABLE'
  | 'ISOLA_USERNS_NEWUIDMAP_MISSING'
  | 'ISOLA_USERNS_NO_SUBIDS'
  | 'ISOLA_USERNS_POOL_INCOMPLETE'
  | 'ISOLA_USERNS_SIZE_TOO_LARGE'
  | 'ISOLA_USERNS_RANGE_EXHAUSTED'
  | 'ISOLA_USERNS_REMAP_NO_ENTRY';

export interface UsernsErrorOptions extends IsolaErrorOptions {
  /** Which map the error is about. */
  readonly kind?: 'uid' | 'gid' | undefined;
  /** 1-based lines of the map (position in the entry list) at fault. */
  readonly mapLines?: readonly number[] | undefined;
  /** The file at fault (/etc/subuid, /proc/PID/uid_map). */
  readonly file?: string | undefined;
  /** 1-based line of `file` at fault. */
  readonly line?: number | undefined;
}

/** A user-namespace ID map or its inputs (subordinate id files, helpers) is unusable. */
export class UsernsError extends IsolaError {
  declare readonly code: UsernsErrorCode;
  readonly kind: 'uid' | 'gid' | undefined;
  readonly mapLines: readonly number[] | undefined;
  readonly file: string | undefined;
  readonly line: number | undefined;

  constructor(code: UsernsErrorCode, message: string, options: UsernsErrorOptions = {}) {
    super(code, message, options);
    this.name = 'UsernsError';
    this.kind = options.kind;
    this.mapLines = options.mapLines;
    this.file = options.file;
    this.line = options.line;
  }
}
