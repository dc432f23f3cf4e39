/**
 * Entry point of the rootless helper (caller-userns.ts): runs one UsernsJob,
 * given as JSON in argv[2], inside the caller's user namespace, and on
 * failure writes the error's text to the file named by argv[3].
 */
import { chownSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { chownTree, copyShifted } from './shifted-copy.ts';
import type { UsernsJob } from './userns-job.ts';

async function runJob(job: UsernsJob): Promise<void> {
  if (job.kind === 'copy') await copyShifted(job.source, job.target, job.shift);
  else if (job.kind === 'mkdir') {
    for (const dir of job.dirs) {
      mkdirSync(dir.path, { mode: dir.mode });
      chownSync(dir.path, dir.uid, dir.gid);
    }
  } else if (job.kind === 'chown-tree') {
    chownTree(job.path, job.uid, job.gid);
  } else if (job.kind === 'remove') {
    for (const path of job.paths) rmSync(path, { recursive: true, force: true });
  } else {
    throw new Error(`unknown job ${(job as { kind: string }).kind}`);
  }
}

try {
  await runJob(JSON.parse(process.argv[2] ?? '{}') as UsernsJob);
} catch (error) {
  const code = (error as { code?: unknown }).code;
  writeFileSync(process.argv[3] ?? '/dev/null', JSON.stringify({ message: (error as Error).message, code }));
  process.exitCode = 1;
}
