/**
 * userns/ owns user-namespace ID maps as data: parsing and formatting them (podman's
 * `CTR:HOST:LEN`, /proc/PID/{uid,gid}_map), checking them against the kernel's rules and
 * against what the caller may map (/etc/subuid, /etc/subgid), choosing who writes them
 * (directly or through newuidmap/newgidmap, which it finds on a PATH it is given), and
 * building the keep-id maps. It never writes a map, spawns a process, or reads the
 * environment: launch/ writes what this folder decided.
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
export { parseSubidFile, readSubidRanges, type SubidLine, type SubidRange } from './subid-file.ts';
export { checkMapAllowed, chooseMapWriter, type MapCaller, type MapWriter } from './map-permission.ts';
export { findIdMapHelpers, type IdMapHelpers } from './id-map-helpers.ts';
export { keepIdMaps, type KeepIdCaller } from './keep-id.ts';
