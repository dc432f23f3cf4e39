/**
 * engine/state/: the SQLite state database (`<root>/state.db`, node:sqlite) and the
 * tables in it: its schema and migrations, transactions that are race-free across
 * isola processes, and the records kept there (id allocations for now). It decides
 * nothing: the engine's allocator chooses, this folder stores.
 */
export { openStateDb, STATE_DB_NAME, type StateDb } from './state-db.ts';
export { StateError, type StateErrorCode } from './errors.ts';
export {
  deleteIdAllocation,
  insertIdAllocation,
  listIdAllocations,
  setIdAllocationMonitor,
  type IdAllocationRecord,
  type NewIdAllocation,
} from './id-allocations.ts';
export {
  deleteContainer, findContainer, getContainer, insertContainer, isNameTaken, listContainers, releaseContainerIds, updateContainer,
  type ContainerChange, type ContainerRecord, type ContainerState, type NewContainer,
} from './containers.ts';
export { isPidGone, isProcessGone, parseProcStatStartTime, readProcessIdentity, readSelfIdentity, type ProcessIdentity } from './process-identity.ts';
