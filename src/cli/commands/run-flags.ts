/**
 * `isola run` flags (podman's names) turned into the engine's RunOptions.
 */
import { resolve } from 'node:path';
import { InvalidOptionError } from '../../errors/index.ts';
import { parseUlimit } from '../../security/index.ts';
import {
  ConflictingOptionsError, parseEnvFile, parseUsernsMode, type SeccompOption, type UsernsMode, type VolumeOption,
} from '../../spec/index.ts';
import type { SeccompProfile } from '../../security/index.ts';
import { parseIdMapSpec } from '../../userns/index.ts';
import type { RunOptions } from '../../engine/index.ts';
import { flagValue, flagValues, isFlagSet, type FlagSpec, type ParsedArgs } from '../parse-args.ts';
import { TRANSFER_FLAGS, certDirFlag, credsFlag, tlsVerify } from './registry-flags.ts';

export const RUN_FLAGS: readonly FlagSpec[] = [
  { name: 'rm', takesValue: false, description: 'remove the container when it exits' },
  { name: 'rootfs', takesValue: true, valueName: 'DIR', description: 'run on this root filesystem directory instead of an image' },
  { name: 'layer', takesValue: true, isRepeatable: true, valueName: 'DIR', description: 'an unpacked image layer, bottom first, instead of an image' },
  { name: 'rootfs-copy', takesValue: false, description: 'use chowned copies of the layers, not ID-mapped mounts' },
  { name: 'pull', takesValue: true, valueName: 'missing|always|never', description: 'when to pull the image (default missing)' },
  ...TRANSFER_FLAGS,
  { name: 'entrypoint', takesValue: true, valueName: 'CMD', description: 'replace the image\'s entrypoint (a command or a JSON array; "" for none)' },
  { name: 'uidmap', takesValue: true, isRepeatable: true, valueName: 'C:H:N', description: 'map container uids C..C+N-1 to host uids H..' },
  { name: 'gidmap', takesValue: true, isRepeatable: true, valueName: 'C:H:N', description: 'map container gids (default: the uid map)' },
  { name: 'userns', takesValue: true, valueName: 'MODE', description: 'auto[:size=N] (default), host, keep-id or remap:USER' },
  { name: 'hostname', short: 'h', takesValue: true, valueName: 'NAME', description: 'the container\'s host name' },
  { name: 'volume', short: 'v', takesValue: true, isRepeatable: true, valueName: 'SRC:CTR[:OPTS]', description: 'bind a host path or named volume (options ro, U, idmap); -v /path: an anonymous volume' },
  { name: 'user', short: 'u', takesValue: true, valueName: 'USER[:GROUP]', description: 'the user the command runs as' },
  { name: 'env', short: 'e', takesValue: true, isRepeatable: true, valueName: 'K=V', description: 'set an environment variable (-e K alone: from this environment)' },
  { name: 'env-file', takesValue: true, isRepeatable: true, valueName: 'FILE', description: 'read environment variables from a file' },
  { name: 'workdir', short: 'w', takesValue: true, valueName: 'DIR', description: 'the working directory inside' },
  { name: 'tmpfs', takesValue: true, isRepeatable: true, valueName: 'DIR[:OPTS]', description: 'mount a tmpfs' },
  { name: 'read-only', takesValue: false, description: 'mount the root filesystem read-only' },
  { name: 'cap-add', takesValue: true, isRepeatable: true, valueName: 'CAP', description: 'add a capability' },
  { name: 'cap-drop', takesValue: true, isRepeatable: true, valueName: 'CAP', description: 'drop a capability' },
  { name: 'ulimit', takesValue: true, isRepeatable: true, valueName: 'NAME=SOFT[:HARD]', description: 'set a resource limit' },
  { name: 'privileged', takesValue: false, description: 'all capabilities, no seccomp filter, no masked paths' },
  { name: 'interactive', short: 'i', takesValue: false, description: 'keep stdin open' },
  { name: 'tty', short: 't', takesValue: false, description: 'give the container a terminal' },
  { name: 'network', takesValue: true, valueName: 'private|none|host', description: 'the network (default private: loopback only)' },
  { name: 'net', takesValue: true, valueName: 'MODE', description: 'same as --network' },
  { name: 'pids-limit', takesValue: true, valueName: 'N', description: 'at most N processes' },
  { name: 'memory', short: 'm', takesValue: true, valueName: 'SIZE', description: 'memory limit (512m, 1g)' },
  { name: 'cpus', takesValue: true, valueName: 'N', description: 'CPU quota in CPUs (1.5)' },
  { name: 'security-opt', takesValue: true, isRepeatable: true, valueName: 'OPT', description: 'seccomp=unconfined, seccomp=PROFILE.json or no-new-privileges' },
  { name: 'sysctl', takesValue: true, isRepeatable: true, valueName: 'K=V', description: 'set a namespaced kernel parameter' },
];

/** docker's memory units: powers of 1024, with an optional b or ib (512m, 512mb, 512MiB, 1.5g). */
const MEMORY_UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

function parseMemory(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(?:([kmg])i?b?|(b))?$/i.exec(text.trim());
  const unit = (match?.[2] ?? match?.[3] ?? '').toLowerCase();
  if (match === null) throw new InvalidOptionError('--memory', 'a size such as 512m (units b, k, m, g)', text);
  return Math.floor(Number(match[1]) * (MEMORY_UNITS[unit] ?? 1));
}

function parsePidsLimit(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new InvalidOptionError('--pids-limit', 'a whole number of processes, at least 1', text);
  return Number(text);
}

function parseCpus(text: string): number {
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(text)) throw new InvalidOptionError('--cpus', 'a number of CPUs such as 1.5', text);
  return Number(text);
}

function optional<T>(args: ParsedArgs, name: string, parse: (text: string) => T): T | undefined {
  const text = flagValue(args, name);
  return text === undefined ? undefined : parse(text);
}

/** Undefined without a mapping flag: the engine applies the configured default. */
function parseUserns(args: ParsedArgs): UsernsMode | undefined {
  const text = flagValue(args, 'userns');
  const uidMaps = flagValues(args, 'uidmap').map((s) => parseIdMapSpec(s, '--uidmap'));
  const gidMaps = flagValues(args, 'gidmap').map((s) => parseIdMapSpec(s, '--gidmap'));
  if (uidMaps.length > 0 || gidMaps.length > 0) {
    if (text !== undefined) throw new ConflictingOptionsError(`--userns=${text}`, '--uidmap/--gidmap', 'an explicit map is its own mode');
    return { kind: 'explicit', uidMap: uidMaps, gidMap: gidMaps.length > 0 ? gidMaps : uidMaps };
  }
  return text === undefined || text === '' ? undefined : parseUsernsMode(text, '--userns');
}

/** podman's `idmap=uids=0-1000-10#10-2000-5;gids=...`: id on disk, host id, count. */
function parseIdmapOption(text: string): VolumeOption['idmap'] {
  if (text === 'idmap') return 'container';
  const parts = new Map(text.slice('idmap='.length).split(';').map((part) => {
    const eq = part.indexOf('=');
    return [part.slice(0, eq), part.slice(eq + 1)] as const;
  }));
  const parse = (value: string | undefined) => (value ?? '').split('#').filter((t) => t !== '').map((triple) => {
    const numbers = triple.split('-').map(Number);
    if (numbers.length !== 3 || !numbers.every((n) => Number.isSafeInteger(n) && n >= 0) || numbers[2] === 0) {
      throw new InvalidOptionError('--volume', 'idmap=uids=DISK-HOST-COUNT[#...];gids=DISK-HOST-COUNT[#...]', text);
    }
    return { containerId: numbers[0]!, hostId: numbers[1]!, size: numbers[2]! };
  });
  const unknown = [...parts.keys()].filter((key) => key !== 'uids' && key !== 'gids');
  if (unknown.length > 0 || !parts.has('uids')) throw new InvalidOptionError('--volume', 'idmap=uids=DISK-HOST-COUNT[;gids=...]', text);
  const uidMap = parse(parts.get('uids'));
  return { uidMap, gidMap: parts.has('gids') ? parse(parts.get('gids')) : uidMap };
}

function parseVolume(text: string, cwd: string): VolumeOption {
  // `-v /path`: an anonymous volume, as docker's.
  if (text.startsWith('/') && !text.includes(':')) return { source: '', destination: text, isReadonly: false, isAnonymous: true };
  const [source, destination, mode, ...rest] = text.split(':');
  if (source === undefined || source === '' || destination === undefined || destination === '' || rest.length > 0) {
    throw new InvalidOptionError('--volume', 'HOST:CONTAINER[:OPTIONS] or NAME:CONTAINER[:OPTIONS]', text);
  }
  const modes = (mode ?? '').split(',').filter((m) => m !== '');
  let idmap: VolumeOption['idmap'];
  for (const m of modes) {
    if (m === 'idmap' || m.startsWith('idmap=')) idmap = parseIdmapOption(m);
    else if (m !== 'ro' && m !== 'rw' && m !== 'U') throw new InvalidOptionError('--volume', 'options ro, rw, U, idmap[=uids=...;gids=...]', m);
  }
  const isPath = source.startsWith('/') || source.startsWith('.');
  return {
    source: isPath ? resolve(cwd, source) : source, destination, isReadonly: modes.includes('ro'),
    volumeName: isPath ? undefined : source, idmap, isChowned: modes.includes('U'),
  };
}

function parseNetwork(args: ParsedArgs): RunOptions['network'] {
  const value = flagValue(args, 'network') ?? flagValue(args, 'net') ?? 'private';
  if (value === 'none' || value === 'host' || value === 'private') return value;
  if (value === 'slirp4netns' || value === 'pasta' || value === 'bridge') {
    throw new InvalidOptionError('--network', 'none, host or private (pasta, slirp4netns and bridge are not built yet)', value);
  }
  throw new InvalidOptionError('--network', 'none, host or private', value);
}

// node:fs/promises loads on first use: this module is on `isola run`'s import path, where loading it costs milliseconds.
async function readFile(path: string, encoding: BufferEncoding): Promise<string> {
  return (await import('node:fs/promises')).readFile(path, encoding);
}

async function readEnvFiles(args: ParsedArgs, env: Readonly<Record<string, string | undefined>>): Promise<string[]> {
  const files = flagValues(args, 'env-file');
  const texts = await Promise.all(files.map((path) => readFile(path, 'utf8').catch((error: unknown) => {
    throw new InvalidOptionError('--env-file', 'a readable file', path, { cause: error });
  })));
  return texts.flatMap((text, i) => parseEnvFile(text, files[i]!, env));
}

/** `-e NAME` without a value takes it from the caller's environment, as docker does. */
function expandEnv(entries: readonly string[], env: Readonly<Record<string, string | undefined>>): string[] {
  return entries.flatMap((entry) => {
    if (entry.includes('=')) return [entry];
    const value = env[entry];
    return value === undefined ? [] : [`${entry}=${value}`];
  });
}

interface SecurityOpts {
  readonly seccomp: SeccompOption | undefined;
  readonly noNewPrivileges: boolean | undefined;
}

const SECURITY_OPTS = 'seccomp=unconfined, seccomp=PROFILE.json or no-new-privileges[=true|false] (others are not supported yet)';

/** `--security-opt seccomp=unconfined|PROFILE.json` and `no-new-privileges`; the last one of a kind wins, as in docker. */
async function parseSecurityOpts(args: ParsedArgs, cwd: string): Promise<SecurityOpts> {
  let seccomp: SeccompOption | undefined;
  let noNewPrivileges: boolean | undefined;
  for (const text of flagValues(args, 'security-opt')) {
    const equals = text.indexOf('=');
    const [key, value] = equals === -1 ? [text, undefined] : [text.slice(0, equals), text.slice(equals + 1)];
    if (key === 'no-new-privileges' && (value === undefined || value === 'true' || value === 'false')) {
      noNewPrivileges = value !== 'false';
    } else if (key === 'seccomp' && value !== undefined && value !== '') {
      seccomp = value === 'unconfined' ? { kind: 'unconfined' } : { kind: 'profile', profile: await readSeccompProfile(resolve(cwd, value)) };
    } else {
      throw new InvalidOptionError('--security-opt', SECURITY_OPTS, text);
    }
  }
  return { seccomp, noNewPrivileges };
}

/** A profile file, checked only as JSON here: the runtime's compiler checks every field and names it. */
async function readSeccompProfile(path: string): Promise<SeccompProfile> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new InvalidOptionError('--security-opt', 'seccomp=FILE with a readable JSON seccomp profile', path, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { defaultAction?: unknown }).defaultAction !== 'string') {
    throw new InvalidOptionError('--security-opt', 'a seccomp profile: a JSON object with a defaultAction', path);
  }
  return parsed as SeccompProfile;
}

/** `--sysctl KEY=VALUE`; which keys a container may set is the runtime's check. */
function parseSysctls(args: ParsedArgs): Record<string, string> | undefined {
  const entries = flagValues(args, 'sysctl').map((text) => {
    const equals = text.indexOf('=');
    if (equals <= 0) throw new InvalidOptionError('--sysctl', 'KEY=VALUE such as net.ipv4.ip_forward=1', text);
    return [text.slice(0, equals), text.slice(equals + 1)] as const;
  });
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
}

function parsePullPolicy(text: string): 'missing' | 'always' | 'never' {
  if (text === 'missing' || text === 'always' || text === 'never') return text;
  if (text === 'newer') throw new InvalidOptionError('--pull', 'missing, always or never (newer is not supported)', text);
  throw new InvalidOptionError('--pull', 'missing, always or never', text);
}

/** podman's --entrypoint: a command string, a JSON array, or "" for none. */
function parseEntrypoint(text: string): string[] {
  if (text === '') return [];
  if (!text.trimStart().startsWith('[')) return [text];
  try {
    const list: unknown = JSON.parse(text);
    if (Array.isArray(list) && list.every((item) => typeof item === 'string')) return list;
  } catch {
    // Reported below with what was expected.
  }
  throw new InvalidOptionError('--entrypoint', 'a command or a JSON array of strings', text);
}

export interface RunCommandLine {
  readonly options: RunOptions;
  readonly shouldRemove: boolean;
}

export async function runOptionsFromArgs(args: ParsedArgs, env: Readonly<Record<string, string | undefined>>, cwd: string): Promise<RunCommandLine> {
  const rootfs = flagValue(args, 'rootfs');
  const layers = flagValues(args, 'layer').map((layer) => resolve(cwd, layer));
  if (rootfs !== undefined && layers.length > 0) {
    throw new InvalidOptionError('--rootfs', 'a root filesystem directory, or --layer DIR for each image layer (bottom first)',
      'both', { hint: 'isola run --rootfs DIR [flags] -- COMMAND' });
  }
  // Without --rootfs or --layer the first argument is the image, as in podman.
  const isImageRun = rootfs === undefined && layers.length === 0;
  const image = isImageRun ? args.positionals[0] : undefined;
  const imageArgs = isImageRun ? args.positionals.slice(1) : args.positionals;
  if (isImageRun && image === undefined) {
    throw new InvalidOptionError('isola run', 'an image, or --rootfs DIR', 'nothing', { hint: 'isola run [flags] IMAGE [COMMAND...]' });
  }
  const hasTerminal = isFlagSet(args, 'tty');
  const tmpfs = flagValues(args, 'tmpfs').map((text) => {
    const colon = text.indexOf(':');
    return colon === -1 ? { destination: text, options: '' } : { destination: text.slice(0, colon), options: text.slice(colon + 1) };
  });
  return {
    shouldRemove: isFlagSet(args, 'rm'),
    options: {
      rootfs: rootfs === undefined ? undefined : resolve(cwd, rootfs), args: imageArgs,
      image, pull: optional(args, 'pull', parsePullPolicy), entrypoint: optional(args, 'entrypoint', parseEntrypoint),
      tlsVerify: tlsVerify(args),
      certDir: certDirFlag(args, cwd), registryCredentials: credsFlag(args),
      rootfsLayers: layers.length === 0 ? undefined : layers, isRootfsCopyForced: isFlagSet(args, 'rootfs-copy'),
      env: [...await readEnvFiles(args, env), ...expandEnv(flagValues(args, 'env'), env)],
      user: flagValue(args, 'user'), cwd: flagValue(args, 'workdir'), hostname: flagValue(args, 'hostname'),
      volumes: flagValues(args, 'volume').map((v) => parseVolume(v, cwd)), tmpfs,
      isReadonlyRootfs: isFlagSet(args, 'read-only'),
      capAdd: flagValues(args, 'cap-add'), capDrop: flagValues(args, 'cap-drop'),
      ulimits: flagValues(args, 'ulimit').map(parseUlimit),
      pidsLimit: optional(args, 'pids-limit', parsePidsLimit), memoryBytes: optional(args, 'memory', parseMemory),
      cpus: optional(args, 'cpus', parseCpus),
      isPrivileged: isFlagSet(args, 'privileged'), hasTerminal, isInteractive: isFlagSet(args, 'interactive'),
      network: parseNetwork(args), userns: parseUserns(args),
      ...await parseSecurityOpts(args, cwd), sysctls: parseSysctls(args),
    },
  };
}
