/**
 * userns/ owns user-namespace ID maps as data: parsing and formatting them (podman's
 * `CTR:HOST:LEN`, /proc/PID/{uid,gid}_map), checking them against the kernel's rules and
 * against what the caller may map (/etc/subuid, /etc/subgid), choosing who writes them
 * (directly or through newuidmap/newgidmap, which it finds on a PATH it is given), and
 * building the keep-id and remap maps, and the pure half of `--userns=auto`: the pool
 * (from /etc/subuid and /etc/subgid) and choosing a free block in it. It never writes a
 * map, spawns a process, keeps state, or reads the environment: launch/ writes what
 * this folder decided, and engine/ records who holds which block.
 */
export { UsernsError, type UsernsErrorCode, type UsernsErrorOptions } from './errors.ts';
export {
  formatProcIdMap,
  parseIdMapSpec,
  parseProcIdMap,
  toHostId,
  type IdMapEntry,
  type IdMaps,
} from './id-map.ts';
export { MAX_MAP_LINES, validateIdMap } from './validate-id-map.ts';
export {
  parseSubidFile,
  readSubidFile,
  readSubidRanges,
  subidRangesOf,
  SUBGID_FILE,
  SUBUID_FILE,
  type SubidLine,
  type SubidRange,
  type SubordinateIds,
} from './subid-file.ts';
export { checkMapAllowed, chooseMapWriter, type MapCaller, type MapWriter } from './map-permission.ts';
export { findIdMapHelpers, type IdMapHelpers } from './id-map-helpers.ts';
export { keepIdMaps, type KeepIdCaller } from './keep-id.ts';
export { normalizeRanges, subtractRanges, intersectRanges, findFirstFit, countBlocks, largestRangeSize } from './id-ranges.ts';
export {
  callerIdPool,
  DEFAULT_BLOCK_SIZE,
  DEFAULT_POOL,
  POOL_OWNER,
  rootIdPool,
  type IdPool,
  type IdPoolSource,
  type PoolCaller,
  type SubidFiles,
} from './id-pool.ts';
export { blockIdMaps, checkBlockSize, chooseIdBlock, measureIdPool, type IdBlock, type IdPoolUsage } from './choose-id-block.ts';
export { readRemapIdMaps, remapIdMaps, type RemapRanges } from './remap.ts';
