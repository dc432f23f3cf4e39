/**
 * spec/ owns the OCI runtime config of a container: checking the user's
 * options, resolving `--user` against the image's own /etc/passwd and
 * /etc/group (never the host's, through RESOLVE_IN_ROOT-style lookups),
 * building the environment, the mounts and the whole config.json, and
 * writing it as text. It allocates nothing, mounts nothing and starts
 * nothing: the engine passes in the ID maps and file paths it decided, and
 * runtime/ carries the config out.
 */
export type { ContainerOptions, NetworkMode, SeccompOption, TmpfsOption, UlimitOption, UsernsMode, VolumeOption } from './container-options.ts';
export { ConflictingOptionsError, SpecError, type SpecErrorCode, type SpecErrorOptions } from './errors.ts';
export { MAX_SYMLINKS, readFileInRoot, resolveInRoot, type ReadInRootOptions } from './safe-rootfs-path.ts';
export { parseGroup, parsePasswd, type GroupEntry, type PasswdEntry } from './passwd.ts';
export { resolveUser, type ResolvedUser } from './resolve-user.ts';
export { DEFAULT_PATH, buildContainerEnv, envValue, mergeEnv, parseEnvFile, type ContainerEnvInput, type EnvLookup } from './env.ts';
export { buildMounts, mergeTmpfsOptions, type MountInput, type RuntimeFiles } from './mounts.ts';
export { DEFAULT_DEVICES } from './devices.ts';
export { DEFAULT_RLIMITS, OCI_VERSION, generateConfig, type GenerateInput } from './generate.ts';
export { checkOptions, checkUserIsMapped, isIdMapped, type MappedUser } from './validate.ts';
export { serializeOciConfig } from './serialize.ts';
export { parseUsernsMode } from './userns-mode.ts';
