/**
 * Typed errors shared by every layer. Each failure carries a stable `code`
 * (`ISOLA_<AREA>_<WHAT>`), a message naming what failed on which object, a
 * `hint` saying what the user can do next, and the original error as `cause`.
 * Only cli/ maps codes to exit statuses and prints them; nothing here prints.
 */
import { getSystemErrorName } from 'node:util';

const isolaErrorMark = Symbol.for('isola.error');

export interface IsolaErrorOptions {
  /** What the user can do next, one sentence. */
  readonly hint?: string | undefined;
  readonly cause?: unknown;
}

export class IsolaError extends Error {
  readonly code: string;
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: IsolaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IsolaError';
    this.code = code;
    this.hint = options.hint;
    Object.defineProperty(this, isolaErrorMark, { value: true });
  }
}

/** True for any isola error, also one made by another copy of this package. */
export function isIsolaError(value: unknown): value is IsolaError {
  return typeof value === 'object' && value !== null && isolaErrorMark in value;
}

/** An option or flag whose value is not acceptable. */
export class InvalidOptionError extends IsolaError {
  readonly option: string;
  readonly expected: string;
  readonly got: string;

  constructor(option: string, expected: string, got: unknown, options: IsolaErrorOptions = {}) {
    const shown = typeof got === 'string' ? JSON.stringify(got) : String(got);
    super('ISOLA_INVALID_OPTION', `${option}: expected ${expected}, got ${shown}`, options);
    this.name = 'InvalidOptionError';
    this.option = option;
    this.expected = expected;
    this.got = shown;
  }
}

/** The errno name (`EPERM`) for a positive errno number, or `E<n>` when unknown. */
export function errnoName(errno: number): string {
  try {
    return getSystemErrorName(-errno);
  } catch {
    return `E${errno}`;
  }
}
