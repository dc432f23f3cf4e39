/**
 * Rootless layer unpacking: an ordinary user cannot give files other owners,
 * so each layer is unpacked by unpack-worker.ts inside the caller's user
 * namespace (root there over the caller's subordinate ids), as storage/ does
 * its rootless work. Layer trees are removed the same way, since files owned
 * by subordinate ids cannot be deleted from outside.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IsolaError } from '../errors/index.ts';
import { locatePackageFile, runInCallerUserns, type HostContext } from '../runtime/index.ts';
import type { UnpackLayerFn } from '../image/index.ts';

/** src/engine/unpack-worker.ts, from here in a checkout or from dist/ when bundled. */
async function locateWorker(): Promise<string> {
  const path = locatePackageFile(['unpack-worker.ts', 'src/engine/unpack-worker.ts']);
  if (path !== undefined) return path;
  throw new IsolaError('ISOLA_IMAGE_STORE_UNAVAILABLE', 'src/engine/unpack-worker.ts is missing from this installation', { hint: 'reinstall isola' });
}

interface WorkerResult {
  readonly ok?: Awaited<ReturnType<UnpackLayerFn>>;
  readonly error?: { readonly code?: string; readonly message?: string; readonly hint?: string };
}

export function rootlessUnpacker(host: HostContext, shimPath: string, searchPath: string): UnpackLayerFn {
  return async ({ blob, target, whiteouts }) => {
    const [worker, resultDir] = await Promise.all([locateWorker(), mkdtemp(join(tmpdir(), 'isola-unpack-'))]);
    const resultFile = join(resultDir, 'result.json');
    try {
      const code = await runInCallerUserns({ host, shimPath, args: [process.execPath, worker, blob, target, whiteouts, resultFile], env: [`PATH=${searchPath}`] });
      const result = JSON.parse(await readFile(resultFile, 'utf8').catch(() => '{}')) as WorkerResult;
      if (code === 0 && result.ok !== undefined) return result.ok;
      const error = result.error ?? { code: 'ISOLA_LAYER_UNPACK_FAILED', message: `the rootless unpack helper exited with status ${code}` };
      throw new IsolaError(error.code ?? 'ISOLA_LAYER_UNPACK_FAILED', error.message ?? `unpacking ${blob} failed`, { hint: error.hint });
    } finally {
      await rm(resultDir, { recursive: true, force: true });
    }
  };
}
