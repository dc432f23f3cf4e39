/**
 * Where this package's own files are (build/isola-shim, bin/isola, the
 * helpers run in the caller's user namespace): found by walking up from
 * this module, which is src/runtime/ in a checkout and dist/ when bundled,
 * so the same relative paths serve both.
 */
import { accessSync, constants } from 'node:fs';
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
export function locatePackageFile(relativePaths: readonly string[], options: PackageFileOptions = {}): string | undefined {
  const mode = options.isExecutable === true ? constants.X_OK : constants.F_OK;
  // Synchronous: on `isola run`'s start-up path a few access(2) calls take
  // microseconds, where the promise versions cost a thread-pool round trip
  // (and the pool's start, ~1 ms).
  for (let depth = 0, dir = dirname(fileURLToPath(import.meta.url)); depth < LEVELS; depth++, dir = dirname(dir)) {
    for (const relative of relativePaths) {
      const path = join(dir, relative);
      try {
        accessSync(path, mode);
        return path; // the nearest wins
      } catch {
        // Not here: the next path, or the level above.
      }
    }
  }
  return undefined;
}
