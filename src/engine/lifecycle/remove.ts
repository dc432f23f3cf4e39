/**
 * `rm` and the monitor's cleanup command. Removal undoes everything a
 * container holds (processes, cgroup, run directory), then deletes its row and
 * its host ids in one transaction: killed half-way, it leaves a row that the
 * next `rm` finishes.
 */
import { rm } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { removeContainerCgroup } from './cgroup-dirs.ts';
import { deleteContainer, getContainer, updateContainer, type ContainerRecord, type StateDb } from '../state/index.ts';
import { invalidState } from './errors.ts';
import { readExitFile } from './exit-file.ts';
import { containerFiles } from './files.ts';
import { isGone } from './liveness.ts';
import { refreshContainer } from './refresh.ts';
import { stopContainer } from './stop.ts';
import type { StorageRemover } from './storage-removal.ts';

/**
 * @param isForced stop a running container first (SIGKILL at once)
 * @throws ContainerError ISOLA_CONTAINER_INVALID_STATE for a running container without isForced
 */
export async function removeContainer(db: StateDb, record: ContainerRecord, isForced: boolean, removeStorage: StorageRemover,
  removeVolumes?: StorageRemover): Promise<void> {
  let current = await refreshContainer(db, record);
  const isActive = current.state === 'running' || current.state === 'paused' || current.state === 'starting' || current.state === 'creating';
  if (isActive && !isForced) {
    throw invalidState(record.name, current.state, 'remove', 'stop it first, or use rm -f');
  }
  if (isActive) current = await stopContainer(db, current, 9, 0);
  await finishRemoval(db, current, removeStorage, removeVolumes);
}

async function finishRemoval(db: StateDb, record: ContainerRecord, removeStorage: StorageRemover, removeVolumes?: StorageRemover): Promise<void> {
  await removeContainerCgroup(record);
  // Nothing is mounted on the host: the overlay lived in the container's mount namespace.
  await removeStorage(record);
  // Before the row goes: a failure leaves it for the next `rm` to finish.
  await removeVolumes?.(record);
  await rm(record.runDir, { recursive: true, force: true });
  db.immediate(() => deleteContainer(db, record.id));
}

function shouldRestart(record: ContainerRecord): boolean {
  if (record.isStopRequested || record.state !== 'stopped') return false;
  if (record.restartPolicy === 'always') return true;
  if (!record.restartPolicy.startsWith('on-failure') || record.exitCode === 0) return false;
  return record.restartMax === 0 || record.restartCount < record.restartMax;
}

/**
 * The monitor's exit command (`isola container cleanup ID`): records the exit,
 * removes the cgroup, then removes the container (--rm) or restarts it as its
 * policy says. The restart is decided here, in TypeScript, not in the C
 * monitor, which stays policy-free; each restart is a fresh start, with a
 * fresh monitor, counted in the row.
 * @returns whether the container was restarted.
 */
export async function cleanUpContainer(db: StateDb, id: string, restart: (record: ContainerRecord) => Promise<unknown>,
  removeStorage: StorageRemover, removeVolumes?: StorageRemover): Promise<boolean> {
  let record = getContainer(db, id);
  // The isola that started it records 'running' just after the shim reports the start.
  for (let i = 0; i < 200 && record?.state === 'starting' && !await isGone(record.creator); i++) {
    await delay(25);
    record = getContainer(db, id);
  }
  if (record === undefined) return false;
  const exit = await readExitFile(containerFiles(record).exit);
  updateContainer(db, id, ['running', 'paused'], {
    state: 'stopped', exit_code: exit?.exitCode ?? null, finished_ms: exit?.finishedMs ?? Date.now(), pid: null, pid_start_time: null,
  });
  // A cgroup that will not go stays recorded: rm tries again and says why.
  const isRemoved = await removeContainerCgroup(record).then(() => true, () => false);
  if (isRemoved) updateContainer(db, id, ['stopped'], { cgroup_dirs: '[]' });
  record = getContainer(db, id);
  if (record === undefined) return false;
  if (record.isAutoRemove) {
    // --rm takes the anonymous volumes along, as docker's does.
    await finishRemoval(db, record, removeStorage, removeVolumes);
    return false;
  }
  if (!shouldRestart(record)) return false;
  // docker's back-off: 100 ms doubling per restart, at most 10 s.
  await delay(Math.min(10_000, 100 * 2 ** Math.min(record.restartCount, 7)));
  record = getContainer(db, id);
  if (record === undefined || !shouldRestart(record)) return false;
  updateContainer(db, id, ['stopped'], { restart_count: record.restartCount + 1 });
  await restart(getContainer(db, id)!);
  return true;
}
