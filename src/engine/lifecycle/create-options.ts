/**
 * The options of a container that outlives the call that made it (`create`,
 * `run -d`), normalized once: the API accepts the short forms of the example
 * (`cmd`, `userns: 'auto'`) and leaves out what has a default.
 */
import { InvalidOptionError } from '../../errors/index.ts';
import { parseUsernsMode, type UsernsMode } from '../../spec/index.ts';
import { signalNumber } from './signals.ts';
import type { RunOptions } from '../run.ts';

export type RestartPolicy =
  | { readonly name: 'no' }
  | { readonly name: 'on-failure'; /** @default unlimited */ readonly maxRetries?: number | undefined }
  | { readonly name: 'always' };

type Defaulted = 'rootfs' | 'args' | 'userns' | 'consoleSize' | 'isHostTerminalRaw' | 'isInteractive';

export interface CreateOptions extends Partial<Omit<RunOptions, Defaulted>> {
  /** Absolute path of the root filesystem directory; or `rootfsLayers`, or `image`. */
  readonly rootfs?: string | undefined;
  /** The command and its arguments (`args` is the same). */
  readonly cmd?: readonly string[] | undefined;
  readonly args?: readonly string[] | undefined;
  /** A mode object, or its text as `--userns` takes it ('auto', 'auto:size=N', 'host', ...). */
  readonly userns?: UsernsMode | string | undefined;
  /** Unique among containers; @default a generated adjective_noun */
  readonly name?: string | undefined;
  /** `--restart`: a policy or its text (no, on-failure[:N], always). @default no */
  readonly restart?: RestartPolicy | string | undefined;
  /** Remove the container when it exits (`--rm`). @default false */
  readonly autoRemove?: boolean | undefined;
  /** Rotate the log above this many bytes, keeping one older file. @default 10 MiB; 0: never */
  readonly logMaxBytes?: number | undefined;
  /** Sent first by `stop` (the image's StopSignal). @default SIGTERM */
  readonly stopSignal?: string | undefined;
  /**
   * `-i`: keep the container's stdin open; without a terminal it is a pipe
   * its monitor holds, which `attach` writes to. @default false (/dev/null)
   */
  readonly isInteractive?: boolean | undefined;
}

/** The image a container was created from. */
export interface ContainerImage {
  readonly id: string;
  /** The name it was given by (its first name), or its id. */
  readonly name: string;
}

/**
 * What the state database keeps and `start` runs from. With rootfsLayers,
 * `rootfs` is the overlay's mount point in the run directory.
 */
export interface StoredOptions {
  readonly run: RunOptions & { readonly rootfs: string };
  readonly image?: ContainerImage | undefined;
  readonly stopSignal: number;
  readonly logMaxBytes: number;
}

export const DEFAULT_LOG_MAX_BYTES = 10 * 1024 * 1024;
const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export function parseRestartPolicy(value: RestartPolicy | string | undefined): RestartPolicy {
  if (value === undefined) return { name: 'no' };
  if (typeof value !== 'string') return value;
  const [name, count, ...rest] = value.split(':');
  if (rest.length === 0 && (name === 'no' || name === 'always') && count === undefined) return { name };
  if (name === 'on-failure' && rest.length === 0 && (count === undefined || /^\d+$/.test(count))) {
    return { name, maxRetries: count === undefined ? undefined : Number(count) };
  }
  throw new InvalidOptionError('--restart', 'no, on-failure[:N] or always', value);
}

export function checkContainerName(name: string): string {
  if (!NAME_PATTERN.test(name) || name.length > 128) {
    throw new InvalidOptionError('--name', 'a name of letters, digits, _ . - (starting with a letter or digit)', name);
  }
  return name;
}

export function normalizeCreateOptions(options: CreateOptions, image?: ContainerImage): { stored: StoredOptions; name: string | undefined; restart: RestartPolicy; isAutoRemove: boolean } {
  const args = options.cmd ?? options.args ?? [];
  if (options.cmd !== undefined && options.args !== undefined) throw new InvalidOptionError('cmd', 'cmd or args, not both', 'both');
  if (args.length === 0) throw new InvalidOptionError('cmd', 'a command to run', 'nothing');
  const userns = typeof options.userns === 'string' ? parseUsernsMode(options.userns, 'userns') : options.userns;
  const logMaxBytes = options.logMaxBytes ?? DEFAULT_LOG_MAX_BYTES;
  if (!Number.isSafeInteger(logMaxBytes) || logMaxBytes < 0) throw new InvalidOptionError('logMaxBytes', 'a whole number of bytes', logMaxBytes);
  const stopSignal = signalNumber(options.stopSignal ?? 'SIGTERM', '--stop-signal');
  const layers = options.rootfsLayers ?? [];
  if ((options.rootfs === undefined) === (layers.length === 0)) {
    throw new InvalidOptionError('rootfs', 'either a rootfs directory or image layers', options.rootfs ?? 'neither',
      { hint: 'give --rootfs DIR, --layer DIR or an image' });
  }
  const run: RunOptions & { readonly rootfs: string } = {
    // With layers, create puts the mount point here once the id is known.
    rootfs: options.rootfs ?? '', rootfsLayers: layers.length === 0 ? undefined : layers,
    isRootfsCopyForced: options.isRootfsCopyForced === true ? true : undefined, args, env: options.env ?? [], user: options.user, cwd: options.cwd, hostname: options.hostname,
    volumes: options.volumes ?? [], tmpfs: options.tmpfs ?? [], isReadonlyRootfs: options.isReadonlyRootfs ?? false,
    capAdd: options.capAdd ?? [], capDrop: options.capDrop ?? [], ulimits: options.ulimits ?? [],
    pidsLimit: options.pidsLimit, memoryBytes: options.memoryBytes, cpus: options.cpus,
    isPrivileged: options.isPrivileged ?? false, hasTerminal: options.hasTerminal ?? false, isInteractive: options.isInteractive ?? false,
    network: options.network ?? 'private', userns,
  };
  return {
    stored: { run, stopSignal, logMaxBytes, ...(image === undefined ? {} : { image }) },
    name: options.name === undefined ? undefined : checkContainerName(options.name),
    restart: parseRestartPolicy(options.restart),
    isAutoRemove: options.autoRemove ?? false,
  };
}

export function restartText(policy: RestartPolicy): string {
  return policy.name === 'on-failure' && policy.maxRetries !== undefined ? `on-failure:${policy.maxRetries}` : policy.name;
}

