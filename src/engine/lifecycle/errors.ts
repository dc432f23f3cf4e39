import { IsolaError, type IsolaErrorOptions } from '../../errors/index.ts';

export type ContainerErrorCode =
  | 'ISOLA_CONTAINER_NOT_FOUND'
  | 'ISOLA_CONTAINER_NAME_IN_USE'
  | 'ISOLA_CONTAINER_INVALID_STATE'
  | 'ISOLA_CONTAINER_STOP_FAILED';

/** A container that does not exist, is in the wrong state for an operation, or whose name is taken. */
export class ContainerError extends IsolaError {
  declare readonly code: ContainerErrorCode;
  /** The id or name the caller gave. */
  readonly container: string;
  /** The container's state when the operation was refused, if it exists. */
  readonly status: string | undefined;

  constructor(code: ContainerErrorCode, message: string, container: string, options: IsolaErrorOptions & { readonly status?: string } = {}) {
    super(code, message, options);
    this.name = 'ContainerError';
    this.container = container;
    this.status = options.status;
  }
}

export function notFound(ref: string): ContainerError {
  return new ContainerError('ISOLA_CONTAINER_NOT_FOUND', `no container named or with id ${JSON.stringify(ref)}`, ref,
    { hint: 'see `isola ps -a` for the containers that exist (an id prefix must match only one)' });
}

export function invalidState(ref: string, status: string, operation: string, hint: string): ContainerError {
  return new ContainerError('ISOLA_CONTAINER_INVALID_STATE', `cannot ${operation} container ${ref}: it is ${status}`, ref, { status, hint });
}
