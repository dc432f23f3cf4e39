/**
 * A CallerUserns for rootless storage work: each job is one run of
 * userns-worker.ts (Node, the one running isola) inside the caller's user
 * namespace (runtime's runInCallerUserns). The image engineers' unpack can
 * use runInCallerUserns the same way.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callerUsernsMaps, locatePackageFile, runInCallerUserns, type HostContext } from '../runtime/index.ts';
import { StorageError } from './errors.ts';
import type { CallerUserns } from './rootfs.ts';
import type { UsernsJob } from './userns-job.ts';

/** src/storage/userns-worker.ts, from here in a checkout or from dist/ when bundled. */
async function locateWorker(): Promise<string> {
  const path = locatePackageFile(['userns-worker.ts', 'src/storage/userns-worker.ts']);
  if (path !== undefined) return path;
  throw new StorageError('ISOLA_STORAGE_HELPER_FAILED', 'src/storage/userns-worker.ts is missing from this installation',
    { hint: 'reinstall isola' });
}

export function callerUserns(host: HostContext, shimPath: string, searchPath: string): CallerUserns {
  return {
    maps: callerUsernsMaps(host),
    async run(job: UsernsJob): Promise<void> {
      const [worker, errorDir] = await Promise.all([locateWorker(), mkdtemp(join(tmpdir(), 'isola-job-'))]);
      const errorFile = join(errorDir, 'error.json');
      try {
        const code = await runInCallerUserns({
          host, shimPath, args: [process.execPath, worker, JSON.stringify(job), errorFile], env: [`PATH=${searchPath}`],
        });
        if (code === 0) return;
        const text = await readFile(errorFile, 'utf8').catch(() => '');
        const detail = text === '' ? `exit status ${code}` : (JSON.parse(text) as { message: string }).message;
        throw new StorageError('ISOLA_STORAGE_HELPER_FAILED', `the rootless storage helper failed (${job.kind}): ${detail}`,
          { hint: 'check that your subordinate ids cover the container\'s range and the layers are readable' });
      } finally {
        await rm(errorDir, { recursive: true, force: true });
      }
    },
  };
}
