import { IsolaError, type IsolaErrorOptions } from '../errors/index.ts';

export type CgroupErrorCode =
  | 'ISOLA_CGROUP_CONTROLLER_MISSING'
  | 'ISOLA_CGROUP_NOT_WRITABLE'
  | 'ISOLA_CGROUP_INVALID_PATH'
  | 'ISOLA_CGROUP_INVALID_LIMIT'
  | 'ISOLA_CGROUP_LIMIT_UNAVAILABLE'
  | 'ISOLA_CGROUP_EXISTS'
  | 'ISOLA_CGROUP_CREATE_FAILED'
  | 'ISOLA_CGROUP_WRITE_FAILED'
  | 'ISOLA_CGROUP_REMOVE_FAILED';

export interface CgroupErrorOptions extends IsolaErrorOptions {
  /** The controller the failure is about (`pids`, `memory`, `cpu`). */
  readonly controller?: string | undefined;
  /** The cgroup directory or file the failure is about. */
  readonly path?: string | undefined;
}

/** A container's cgroup cannot be created, limited or removed. */
export class CgroupError extends IsolaError {
  declare readonly code: CgroupErrorCode;
  readonly controller: string | undefined;
  readonly path: string | undefined;

  constructor(code: CgroupErrorCode, message: string, options: CgroupErrorOptions = {}) {
    super(code, message, options);
    this.name = 'CgroupError';
    this.controller = options.controller;
    this.path = options.path;
  }
}

/** The `code` of a Node fs error (`EACCES`), or undefined. */
export function fsErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** mkdir or a write refused for lack of permission: rootless without delegation, or a read-only mount. */
export function isPermissionError(error: unknown): boolean {
  const code = fsErrorCode(error);
  return code === 'EACCES' || code === 'EPERM' || code === 'EROFS';
}
