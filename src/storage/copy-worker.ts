/**
 * A worker thread of the shifted copy: takes directory jobs by index from a
 * shared counter until none is left, so fast and slow directories balance.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { copyDirectoryFiles, type DirJob, type LinkedFile } from './copy-files.ts';
import type { IdShift } from './id-shift.ts';

const { jobs, shift, counter } = workerData as { jobs: DirJob[]; shift: IdShift; counter: SharedArrayBuffer };
const next = new Int32Array(counter);
const linked: LinkedFile[] = [];
let entries = 0;
try {
  for (let i = Atomics.add(next, 0, 1); i < jobs.length; i = Atomics.add(next, 0, 1)) {
    const result = copyDirectoryFiles(jobs[i]!, shift);
    entries += result.entries;
    linked.push(...result.linked);
  }
  parentPort?.postMessage({ entries, linked });
} catch (error) {
  // Stop the others: they see the counter past the end.
  Atomics.store(next, 0, jobs.length);
  parentPort?.postMessage({ error: (error as Error).message, path: (error as { path?: string }).path });
}
