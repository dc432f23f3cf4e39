/**
 * What a user asks of one container, already parsed from flags or the API
 * (`-e`, `-v`, `-u`, ...), before any decision is made. spec/ turns this plus
 * the host facts into an OCI runtime config.
 */
import type { IdMapEntry } from '../userns/index.ts';
import type { SeccompProfile } from '../security/index.ts';

export type UsernsMode =
  | { readonly kind: 'host' }
  | { readonly kind: 'explicit'; readonly uidMap: readonly IdMapEntry[]; readonly gidMap: readonly IdMapEntry[] }
  | { readonly kind: 'keep-id' }
  | { readonly kind: 'auto'; readonly size?: number | undefined }
  | { readonly kind: 'remap'; readonly user: string };

/** `--security-opt seccomp=...`: isola's default profile, none, or a profile file's contents. */
export type SeccompOption =
  | { readonly kind: 'default' }
  | { readonly kind: 'unconfined' }
  | { readonly kind: 'profile'; readonly profile: SeccompProfile };

export type NetworkMode = 'none' | 'host' | 'private';

export interface VolumeOption {
  /** Absolute host path; for a named volume, its name until the engine resolves it. */
  readonly source: string;
  /** Absolute path inside the container. */
  readonly destination: string;
  readonly isReadonly: boolean;
  /** `-v NAME:/path`: a named volume under <root>/volumes, created on first use. */
  readonly volumeName?: string | undefined;
  /**
   * `:idmap`: an ID-mapped bind; 'container' uses the container's maps (files
   * the caller owns show as owned by the container's root), else these maps
   * (podman's `idmap=uids=...;gids=...`: id on disk, host id, count).
   */
  readonly idmap?: 'container' | { readonly uidMap: readonly IdMapEntry[]; readonly gidMap: readonly IdMapEntry[] } | undefined;
  /** `:U`: chown the source, recursively, to the container's ids first. */
  readonly isChowned?: boolean | undefined;
  /**
   * `-v /path` or an image's VOLUME: a volume of the container's own, named
   * by the engine (then `volumeName` is set), removed by `rm -v` and `--rm`.
   */
  readonly isAnonymous?: boolean | undefined;
}

export interface TmpfsOption {
  readonly destination: string;
  /** Mount options such as `size=64m,mode=1777`. */
  readonly options: string;
}

export interface UlimitOption {
  /** Name as docker spells it: nofile, nproc, core, ... */
  readonly name: string;
  readonly soft: number;
  readonly hard: number;
}

export interface ContainerOptions {
  /** Absolute path of the root filesystem directory (with rootfsLayers: the overlay's mount point). */
  readonly rootfs: string;
  /**
   * Unpacked image layer directories, bottom first: the engine mounts an
   * overlay of them plus a writable layer of the container's own at rootfs.
   */
  readonly rootfsLayers?: readonly string[] | undefined;
  readonly args: readonly string[];
  /** KEY=VALUE entries, later ones win. */
  readonly env: readonly string[];
  /** `user[:group]`, names or numbers; undefined means root (0:0). */
  readonly user?: string | undefined;
  readonly cwd?: string | undefined;
  readonly hostname?: string | undefined;
  readonly volumes: readonly VolumeOption[];
  readonly tmpfs: readonly TmpfsOption[];
  readonly isReadonlyRootfs: boolean;
  readonly capAdd: readonly string[];
  readonly capDrop: readonly string[];
  readonly ulimits: readonly UlimitOption[];
  /** Most tasks (processes and threads) the container may have at once (`--pids-limit`). @default no limit */
  readonly pidsLimit?: number | undefined;
  /**
   * Memory limit in bytes (`--memory`), at least 6 MiB. Swap may add as
   * much again, as with docker's default `--memory-swap`. @default no limit
   */
  readonly memoryBytes?: number | undefined;
  /** CPU time as a number of CPUs (`--cpus 1.5`), from 0.01. @default no limit */
  readonly cpus?: number | undefined;
  readonly isPrivileged: boolean;
  /** @default isola's default profile, or none with isPrivileged (as docker does) */
  readonly seccomp?: SeccompOption | undefined;
  /** `--security-opt no-new-privileges`: setuid and file capabilities stop working. @default false */
  readonly noNewPrivileges?: boolean | undefined;
  /** `--sysctl`: namespaced kernel parameters, e.g. `{ 'net.ipv4.ip_forward': '1' }`. @default none */
  readonly sysctls?: Readonly<Record<string, string>> | undefined;
  readonly hasTerminal: boolean;
  readonly isInteractive: boolean;
  readonly network: NetworkMode;
  readonly userns: UsernsMode;
}
