import { IsolaError, type IsolaErrorOptions } from '../errors/index.ts';

export type SpecErrorCode =
  | 'ISOLA_SPEC_USER_NOT_FOUND'
  | 'ISOLA_SPEC_GROUP_NOT_FOUND'
  | 'ISOLA_SPEC_PATH_NOT_FOUND'
  | 'ISOLA_SPEC_PATH_LOOP'
  | 'ISOLA_SPEC_PATH_NOT_DIRECTORY'
  | 'ISOLA_SPEC_PATH_ESCAPED'
  | 'ISOLA_SPEC_FILE_NOT_REGULAR'
  | 'ISOLA_SPEC_FILE_TOO_LARGE'
  | 'ISOLA_SPEC_CONFLICTING_OPTIONS';

export interface SpecErrorOptions extends IsolaErrorOptions {
  /** The file or path the failure is about, inside the rootfs when it starts with /. */
  readonly path?: string | undefined;
}

/** A container's options cannot become an OCI config. */
export class SpecError extends IsolaError {
  declare readonly code: SpecErrorCode;
  readonly path: string | undefined;

  constructor(code: SpecErrorCode, message: string, options: SpecErrorOptions = {}) {
    super(code, message, options);
    this.name = 'SpecError';
    this.path = options.path;
  }
}

/** Two flags that each make sense alone but not together. */
export class ConflictingOptionsError extends SpecError {
  readonly options: readonly [string, string];

  constructor(first: string, second: string, reason: string, hint?: string) {
    super('ISOLA_SPEC_CONFLICTING_OPTIONS', `${first} conflicts with ${second}: ${reason}`, { hint });
    this.name = 'ConflictingOptionsError';
    this.options = [first, second];
  }
}
