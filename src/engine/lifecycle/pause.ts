/**
 * `pause` and `unpause`: the cgroup freezer (cgroup.freeze on v2, the v1
 * freezer hierarchy otherwise). A v1 freezer directory is made at the first
 * pause and recorded with the container's other cgroup directories, so rm
 * and the repairs remove it too.
 */
import { openCgroupDriver, setRecordedCgroupFrozen, type CgroupDriver } from '../../cgroups/index.ts';
import { getContainer, updateContainer, type ContainerRecord, type StateDb } from '../state/index.ts';
import { invalidState } from './errors.ts';

let driver: Promise<CgroupDriver> | undefined;

async function setFrozen(db: StateDb, record: ContainerRecord, isFrozen: boolean): Promise<void> {
  driver ??= openCgroupDriver();
  const { layout } = await driver;
  const dir = await setRecordedCgroupFrozen(layout, record.cgroupDirs, `isola/${record.id}`, isFrozen);
  const dirs = dir === undefined || record.cgroupDirs.includes(dir) ? record.cgroupDirs : [...record.cgroupDirs, dir];
  updateContainer(db, record.id, isFrozen ? ['running'] : ['paused'], { state: isFrozen ? 'paused' : 'running', cgroup_dirs: JSON.stringify(dirs) });
}

/** @throws ContainerError ISOLA_CONTAINER_INVALID_STATE unless it runs; CgroupError without a freezer */
export async function pauseContainer(db: StateDb, record: ContainerRecord): Promise<void> {
  if (record.state !== 'running') throw invalidState(record.name, record.state, 'pause', 'only a running container can be paused');
  await setFrozen(db, record, true);
}

/** @throws ContainerError ISOLA_CONTAINER_INVALID_STATE unless it is paused */
export async function unpauseContainer(db: StateDb, record: ContainerRecord): Promise<ContainerRecord> {
  if (record.state !== 'paused') throw invalidState(record.name, record.state, 'unpause', 'only a paused container can be unpaused');
  await setFrozen(db, record, false);
  return getContainer(db, record.id) ?? record;
}
