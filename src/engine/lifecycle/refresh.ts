/**
 * Repairs a container's row from the facts, so every command reports the
 * truth: a container whose monitor is gone has exited (with the status in its
 * exit file, or an unknown one), never runs on; one whose creator died half-way
 * is left created or stopped. Whatever it left in its cgroup is killed and the
 * cgroup removed. Each change is one compare-and-set on the row, so two
 * processes repairing at once change it once.
 */
import { removeContainerCgroup } from './cgroup-dirs.ts';
import { getContainer, releaseContainerIds, updateContainer, type ContainerRecord, type StateDb } from '../state/index.ts';
import { readExitFile } from './exit-file.ts';
import { containerFiles } from './files.ts';
import { isGone } from './liveness.ts';

/** The cgroup is best effort here: a later rm tries again and reports a failure. */
async function removeCgroupQuietly(record: ContainerRecord): Promise<void> {
  await removeContainerCgroup(record).catch(() => {});
}

async function repairInterrupted(db: StateDb, record: ContainerRecord): Promise<ContainerRecord> {
  if (!await isGone(record.creator)) return record;
  await removeCgroupQuietly(record);
  // Interrupted while creating: it never ran, and start chooses missing ids itself.
  const state = record.state === 'creating' || record.startedMs === undefined ? 'created' : 'stopped';
  db.immediate(() => {
    // Under the lock, on the row as it is now: someone may have repaired it first.
    const now = getContainer(db, record.id);
    if (now === undefined || now.state !== record.state || now.creator?.pid !== record.creator?.pid) return;
    // Ids allocated but not yet recorded as its maps: start allocates afresh, so these go.
    if (now.idMaps === undefined) releaseContainerIds(db, record.id);
    updateContainer(db, record.id, [record.state], {
      state, creator_pid: null, creator_start_time: null, cgroup_dirs: '[]', pid: null, pid_start_time: null,
      monitor_pid: null, monitor_start_time: null,
    });
  });
  return getContainer(db, record.id) ?? record;
}

async function repairExited(db: StateDb, record: ContainerRecord): Promise<ContainerRecord> {
  const exit = await readExitFile(containerFiles(record).exit);
  // The exit file comes first: the monitor may still be running the cleanup command.
  if (exit === undefined && !await isGone(record.monitor)) return record;
  if (exit === undefined) await removeCgroupQuietly(record);
  updateContainer(db, record.id, ['running', 'paused'], {
    state: 'stopped', exit_code: exit?.exitCode ?? null, finished_ms: exit?.finishedMs ?? Date.now(),
    pid: null, pid_start_time: null,
  });
  return getContainer(db, record.id) ?? record;
}

export async function refreshContainer(db: StateDb, record: ContainerRecord): Promise<ContainerRecord> {
  if (record.state === 'creating' || record.state === 'starting') return repairInterrupted(db, record);
  if (record.state === 'running' || record.state === 'paused') return repairExited(db, record);
  return record;
}
