import { IsolaError, type IsolaErrorOptions } from '../../errors/index.ts';

export type StateErrorCode =
  | 'ISOLA_STATE_DB_UNAVAILABLE'
  | 'ISOLA_STATE_DB_BUSY'
  | 'ISOLA_STATE_DB_TOO_NEW';

/** The state database cannot be opened, stays locked, or was written by a newer isola. */
export class StateError extends IsolaError {
  declare readonly code: StateErrorCode;
  /** The database file. */
  readonly path: string;

  constructor(code: StateErrorCode, message: string, path: string, options: IsolaErrorOptions = {}) {
    super(code, message, options);
    this.name = 'StateError';
    this.path = path;
  }
}
