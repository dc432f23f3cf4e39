/**
 * Where this package's own files are (build/isola-shim, bin/isola, the
 * helpers run in the caller's user namespace): found by walking up from
 * this module, which is src/runtime/ in a checkout and dist/ when bundled,
 * so the same relative paths serve both.
 */
import { access, constants } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Levels walked: from src/runtime/ (or dist/) up to the package root and one above it. */
const LEVELS = 4;

export interface PackageFileOptions {
  /** Only an executable file counts. @default false */
  readonly isExecutable?: boolean | undefined;
}

/**
 * The nearest of `relativePaths` below this module's directory or one of its
 * parents; at one level, the first path given wins.
 * @returns its absolute path, or undefined when none exists
 */
export async function locatePackageFile(relativePaths: readonly string[], options: PackageFileOptions = {}): Promise<string | undefined> {
  const candidates: string[] = [];
  for (let depth = 0, dir = dirname(fileURLToPath(import.meta.url)); depth < LEVELS; depth++, dir = dirname(dir)) {
    for (const path of relativePaths) candidates.push(join(dir, path));
  }
  const mode = options.isExecutable === true ? constants.X_OK : constants.F_OK;
  // All levels are checked at once; the nearest one wins.
  const found = await Promise.all(candidates.map((path) => access(path, mode).then(() => true, () => false)));
  const index = found.indexOf(true);
  return index === -1 ? undefined : candidates[index];
}
