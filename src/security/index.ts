/**
 * security/ owns the kernel's protection settings as data: capability names,
 * numbers and docker's --cap-add/--cap-drop/--privileged rules, the masked and
 * read-only /proc and /sys paths, and --ulimit names and values. It decides
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
