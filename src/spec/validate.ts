/**
 * Checks run before anything exists (no range allocated, no rootfs mounted):
 * each rejects one option or one pair of options, naming the flags, so the
 * user learns what to change instead of meeting an errno from the shim.
 * Combinations the option types cannot even express (`--userns=host` with
 * `--uidmap`) are the CLI parser's to reject.
 */
import { posix } from 'node:path';
import { InvalidOptionError } from '../errors/index.ts';
import { RLIM_INFINITY, resolveCapabilities, rlimitResource } from '../security/index.ts';
import type { IdMapEntry, IdMaps } from '../userns/index.ts';
import type { ContainerOptions } from './container-options.ts';
import { ConflictingOptionsError } from './errors.ts';

/** RFC 1123 labels: the name also lands in /etc/hosts, so no spaces or newlines. */
const HOSTNAME_PATTERN = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const MAX_HOSTNAME_LENGTH = 64;

function checkDestination(option: string, destination: string): string {
  if (!posix.isAbsolute(destination)) {
    throw new InvalidOptionError(option, 'an absolute path inside the container as destination', destination);
  }
  const normalized = posix.normalize(destination).replace(/(.)\/+$/, '$1');
  if (normalized === '/') throw new InvalidOptionError(option, 'a destination other than /', destination);
  return normalized;
}

function checkMounts(options: ContainerOptions): void {
  const seen = new Map<string, string>();
  const claim = (flag: string, destination: string) => {
    const normalized = checkDestination(flag, destination);
    const earlier = seen.get(normalized);
    if (earlier !== undefined) {
      const hint = 'give each mount its own destination';
      throw new ConflictingOptionsError(earlier, `${flag} ${destination}`, `both mount ${normalized}`, hint);
    }
    seen.set(normalized, `${flag} ${destination}`);
  };
  for (const volume of options.volumes) {
    if (volume.volumeName !== undefined) {
      if (!VOLUME_NAME_PATTERN.test(volume.volumeName)) {
        throw new InvalidOptionError('--volume', 'a volume name of letters, digits, _ . - (starting with a letter or digit)', volume.volumeName);
      }
    } else if (!posix.isAbsolute(volume.source)) {
      throw new InvalidOptionError('--volume', 'an absolute host path as source (named volumes are not supported)', volume.source, {
        hint: `write it as an absolute path, e.g. -v "$PWD/${volume.source}:${volume.destination}"`,
      });
    }
    claim('--volume', volume.destination);
  }
  for (const mount of options.tmpfs) claim('--tmpfs', mount.destination);
}

function checkUlimits(options: ContainerOptions): void {
  for (const ulimit of options.ulimits) {
    rlimitResource(ulimit.name);
    const isValid = (value: number) => value === RLIM_INFINITY || (Number.isSafeInteger(value) && value >= 0);
    if (!isValid(ulimit.soft) || !isValid(ulimit.hard) || ulimit.soft > ulimit.hard) {
      const shown = `${ulimit.name}=${ulimit.soft}:${ulimit.hard}`;
      throw new InvalidOptionError('--ulimit', 'soft and hard limits from 0 up, soft not above hard', shown);
    }
  }
}

/** podman's volume names. */
export const VOLUME_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

function checkUserns(options: ContainerOptions): void {
  const userns = options.userns;
  if (userns.kind === 'explicit') {
    if (userns.uidMap.length === 0) throw new InvalidOptionError('--uidmap', 'at least one CONTAINER:HOST:SIZE entry', '');
    if (userns.gidMap.length === 0) throw new InvalidOptionError('--gidmap', 'at least one CONTAINER:HOST:SIZE entry', '');
  }
  if (userns.kind === 'auto' && userns.size !== undefined && !(Number.isSafeInteger(userns.size) && userns.size > 0)) {
    throw new InvalidOptionError('--userns', 'auto:size=N with N a positive integer', userns.size);
  }
}

/**
 * Rejects options that cannot work, alone or together.
 * @throws InvalidOptionError (ISOLA_INVALID_OPTION) naming the flag, or
 *   ConflictingOptionsError (ISOLA_SPEC_CONFLICTING_OPTIONS) naming both.
 */
export function checkOptions(options: ContainerOptions): void {
  if (!posix.isAbsolute(options.rootfs)) throw new InvalidOptionError('rootfs', 'an absolute host path', options.rootfs);
  if (options.args.length === 0) {
    throw new InvalidOptionError('command', 'a command to run, given or from the image', '', {
      hint: 'name a command after the image, or use an image that sets Cmd or Entrypoint',
    });
  }
  if (options.cwd !== undefined && !posix.isAbsolute(options.cwd)) {
    throw new InvalidOptionError('--workdir', 'an absolute path inside the container', options.cwd);
  }
  const hostname = options.hostname;
  if (hostname !== undefined && (hostname.length > MAX_HOSTNAME_LENGTH || !HOSTNAME_PATTERN.test(hostname))) {
    throw new InvalidOptionError('--hostname', `letters, digits, - and . (at most ${MAX_HOSTNAME_LENGTH})`, hostname);
  }
  for (const entry of options.env) {
    if (entry.startsWith('=') || entry === '' || entry.includes('\0')) {
      throw new InvalidOptionError('--env', 'KEY=VALUE with a non-empty KEY', entry);
    }
  }
  checkMounts(options);
  checkUlimits(options);
  checkUserns(options);
  resolveCapabilities({ add: options.capAdd, drop: options.capDrop, isPrivileged: options.isPrivileged });
}

function describeMap(entries: readonly IdMapEntry[]): string {
  const describe = (e: IdMapEntry) => (e.size === 1 ? `${e.containerId}` : `${e.containerId}-${e.containerId + e.size - 1}`);
  return entries.map(describe).join(', ');
}

/** True when `id` falls inside one of the map's container ranges. */
export function isIdMapped(entries: readonly IdMapEntry[], id: number): boolean {
  return entries.some((entry) => id >= entry.containerId && id - entry.containerId < entry.size);
}

/** The ids a process runs with (ResolvedUser fits). */
export interface MappedUser {
  readonly uid: number;
  readonly gid: number;
  readonly additionalGids: readonly number[];
}

/**
 * Checks that the user's uid, gid and groups exist in the user namespace:
 * setuid/setgroups to an unmapped id fail with EINVAL inside the shim.
 * @throws InvalidOptionError (ISOLA_INVALID_OPTION) for --user naming the id and the mapped ranges.
 */
export function checkUserIsMapped(user: MappedUser, idMaps: IdMaps | undefined): void {
  if (idMaps === undefined) return;
  const hint = 'pick an id inside the range, or give the container more ids (--userns=auto:size=N or --uidmap/--gidmap)';
  if (!isIdMapped(idMaps.uidMap, user.uid)) {
    throw new InvalidOptionError('--user', `a uid mapped in the container (${describeMap(idMaps.uidMap)})`, user.uid, { hint });
  }
  for (const gid of [user.gid, ...user.additionalGids]) {
    if (!isIdMapped(idMaps.gidMap, gid)) {
      throw new InvalidOptionError('--user', `groups mapped in the container (${describeMap(idMaps.gidMap)})`, gid, { hint });
    }
  }
}
