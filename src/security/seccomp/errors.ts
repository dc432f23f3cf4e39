import { IsolaError, type IsolaErrorOptions } from '../../errors/index.ts';

export type SeccompErrorCode =
  | 'ISOLA_SECCOMP_INVALID_PROFILE'
  | 'ISOLA_SECCOMP_UNSUPPORTED'
  | 'ISOLA_SECCOMP_TOO_LARGE';

export interface SeccompErrorOptions extends IsolaErrorOptions {
  /** JSON path of the offending field, e.g. `linux.seccomp.syscalls[3].action`. */
  readonly field?: string | undefined;
}

/** A seccomp profile that cannot be compiled into a filter. */
export class SeccompError extends IsolaError {
  declare readonly code: SeccompErrorCode;
  readonly field: string | undefined;

  constructor(code: SeccompErrorCode, message: string, options: SeccompErrorOptions = {}) {
    super(code, message, options);
    this.name = 'SeccompError';
    this.field = options.field;
  }
}
