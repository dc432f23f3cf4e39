import { IsolaError, type IsolaErrorOptions } from '../../errors/index.ts';

export type TarErrorCode = 'ISOLA_TAR_INVALID' | 'ISOLA_TAR_UNSUPPORTED' | 'ISOLA_TAR_TOO_LARGE';

/** A tar stream that is malformed, uses a feature isola does not read, or cannot be written. */
export class TarError extends IsolaError {
  declare readonly code: TarErrorCode;
  /** Byte offset in the (uncompressed) stream of the header at fault, when known. */
  readonly offset: number | undefined;

  constructor(code: TarErrorCode, message: string, options: IsolaErrorOptions & { readonly offset?: number } = {}) {
    super(code, message, options);
    this.name = 'TarError';
    this.offset = options.offset;
  }
}
