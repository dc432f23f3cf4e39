/**
 * CgroupDriver, the one interface over every host layout. A driver is a list
 * of backends (the v1 hierarchies, the cgroup2 hierarchy, or both on a hybrid
 * host); each controller goes to the first backend that offers it. Every
 * check happens before the first mkdir, and whatever was made is removed
 * again when a later step fails.
 */
import { normalizeCgroupPath } from './cgroup-path.ts';
import { CgroupError } from './errors.ts';
import type { CgroupLayout, CgroupLayoutKind } from './layout.ts';
import { checkLimits, requestedControllers, v2ControllerName, type CgroupController, type CgroupLimits, type CgroupRequest } from './limits.ts';

export interface ContainerCgroup {
  /** The cgroup.procs files the container's init must be written into, one per hierarchy. */
  readonly procsFiles: readonly string[];
  /** The container's cgroup directories. */
  readonly dirs: readonly string[];
  /**
   * Kills anything left in the cgroup and removes it; safe to call twice.
   * @throws CgroupError ISOLA_CGROUP_REMOVE_FAILED
   */
  remove(): Promise<void>;
}

/** The cgroups of one version: v1 hierarchies or the cgroup2 hierarchy. */
export interface CgroupBackend {
  readonly controllers: readonly CgroupController[];
  /** Creates `path` for `controllers` with their limits; removes what it made when a step fails. */
  create(path: string, controllers: readonly CgroupController[], limits: CgroupLimits): Promise<ContainerCgroup>;
}

export interface CgroupDriver {
  readonly kind: CgroupLayoutKind;
  readonly layout: CgroupLayout;
  /** The controllers a container can be limited with on this host. */
  readonly controllers: readonly CgroupController[];
  /**
   * Creates the container's cgroup with the requested limits, plus the pids
   * controller for accounting when the host has it. Resolves to undefined
   * when nothing is requested and no cgroup can be made (no pids controller,
   * or a hierarchy the caller may not write, as rootless without delegation).
   * @throws CgroupError ISOLA_CGROUP_CONTROLLER_MISSING, ISOLA_CGROUP_NOT_WRITABLE,
   *   ISOLA_CGROUP_INVALID_PATH, ISOLA_CGROUP_INVALID_LIMIT, ISOLA_CGROUP_EXISTS,
   *   ISOLA_CGROUP_CREATE_FAILED, ISOLA_CGROUP_WRITE_FAILED
   */
  createCgroup(request: CgroupRequest): Promise<ContainerCgroup | undefined>;
}

function missingController(name: CgroupController, kind: CgroupLayoutKind): CgroupError {
  const where = kind === 'none' ? 'this host has no cgroup hierarchy mounted' : `the ${kind} cgroup hierarchies of this host do not offer it`;
  const isV1Only = v2ControllerName(name) === undefined;
  const hint = isV1Only
    ? `cgroup v2 has no ${name}; on a v1 or hybrid host mount its hierarchy (mkdir /sys/fs/cgroup/${name} && mount -t cgroup -o ${name} ${name} /sys/fs/cgroup/${name}), or run without a ${name} limit`
    : `mount the ${name} controller (v1) or enable ${v2ControllerName(name)} in the parent's cgroup.subtree_control (v2), or run without a ${name} limit`;
  return new CgroupError('ISOLA_CGROUP_CONTROLLER_MISSING', `the ${name} cgroup controller is not available: ${where}`, { controller: name, hint });
}

/**
 * A cgroup made only to count pids is best effort: without one the container
 * runs as it would have before isola had cgroups. A bad path or a cgroup
 * that already exists is still the caller's mistake.
 */
function isAccountingOptional(error: unknown): boolean {
  if (!(error instanceof CgroupError)) return false;
  return error.code === 'ISOLA_CGROUP_NOT_WRITABLE' || error.code === 'ISOLA_CGROUP_CONTROLLER_MISSING' || error.code === 'ISOLA_CGROUP_CREATE_FAILED';
}

/** One ContainerCgroup over the parts made in each backend. */
export function combineCgroups(parts: readonly ContainerCgroup[]): ContainerCgroup {
  return {
    procsFiles: parts.flatMap((p) => p.procsFiles),
    dirs: parts.flatMap((p) => p.dirs),
    remove: async () => {
      const failures: unknown[] = [];
      for (const part of [...parts].reverse()) await part.remove().catch((error: unknown) => { failures.push(error); });
      if (failures.length > 0) throw failures[0];
    },
  };
}

export function createDriver(kind: CgroupLayoutKind, layout: CgroupLayout, backends: readonly CgroupBackend[]): CgroupDriver {
  const ownerOf = (name: CgroupController): CgroupBackend | undefined => backends.find((b) => b.controllers.includes(name));
  const controllers = backends.flatMap((b) => b.controllers).filter((name, i, all) => all.indexOf(name) === i);
  return {
    kind, layout, controllers,
    createCgroup: async (request) => {
      const path = normalizeCgroupPath(request.path);
      checkLimits(request.limits);
      const requested = requestedControllers(request.limits);
      for (const name of requested) if (ownerOf(name) === undefined) throw missingController(name, kind);
      // pids only counts when nothing limits it: `pids.current` from the host.
      const needed = requested.includes('pids') || ownerOf('pids') === undefined ? requested : ['pids' as const, ...requested];
      if (needed.length === 0) return undefined;
      const parts: ContainerCgroup[] = [];
      try {
        for (const backend of backends) {
          const mine = needed.filter((name) => ownerOf(name) === backend);
          if (mine.length > 0) parts.push(await backend.create(path, mine, request.limits));
        }
      } catch (error) {
        // The failure that stopped the start matters more than one in undoing it.
        await combineCgroups(parts).remove().catch(() => {});
        if (requested.length === 0 && isAccountingOptional(error)) return undefined;
        throw error;
      }
      return combineCgroups(parts);
    },
  };
}
