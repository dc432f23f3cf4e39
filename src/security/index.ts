/**
 * security/ owns the kernel's protection settings as data: capability names,
 * numbers and docker's --cap-add/--cap-drop/--privileged rules, the masked and
 * read-only /proc and /sys paths, --ulimit names and values, and seccomp:
 * the default profile and the compiler from an OCI profile to BPF bytes. It decides
 * nothing about a particular container's namespaces or mounts (spec/ does) and
 * applies nothing to a process (the shim does).
 */
export {
  CAPABILITY_NAMES,
  DEFAULT_CAPABILITIES,
  canonicalCapabilityName,
  capabilityMask,
  capabilityNumber,
  resolveCapabilities,
  type CapabilityName,
  type CapabilityRequest,
} from './capabilities.ts';
export { DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS, protectedPaths, type ProtectedPaths } from './masked-paths.ts';
export {
  RLIM_INFINITY,
  RLIM_INFINITY_BIGINT,
  ULIMIT_RESOURCES,
  parseUlimit,
  rlimitResource,
  rlimitToBigInt,
  type RlimitResource,
  type RlimitType,
  type Ulimit,
  type UlimitName,
} from './rlimits.ts';
export { compileSeccomp, type CompiledSeccomp, type CompileSeccompOptions } from './seccomp/compile.ts';
export { defaultSeccompProfile, type DefaultSeccompOptions } from './seccomp/default-profile.ts';
export {
  PRECOMPILED_SECCOMP_FILE,
  compileSeccompCached,
  precompileDefaultSeccomp,
  type CachedCompileOptions,
} from './seccomp/precompiled.ts';
export {
  fromDockerSeccompProfile,
  isDockerSeccompProfile,
  type DockerProfileOptions,
  type DockerSeccompProfile,
} from './seccomp/docker-profile.ts';
export { SeccompError, type SeccompErrorCode } from './seccomp/errors.ts';
export {
  SECCOMP_ACTIONS,
  SECCOMP_ARCHITECTURES,
  SECCOMP_FLAGS,
  SECCOMP_OPERATORS,
  type SeccompArgRule,
  type SeccompProfile,
  type SeccompSyscallRule,
} from './seccomp/profile.ts';
