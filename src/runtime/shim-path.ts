/**
 * Where the built shim is: build/isola-shim at the package root, found by
 * walking up from this module (src/runtime/ in a checkout, dist/ when bundled).
 */
import { accessSync, constants } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IsolaError } from '../errors/index.ts';

export async function locateShim(): Promise<string> {
  // Synchronous: on `isola run`'s start-up path four access(2) calls take
  // microseconds, where the promise versions cost a thread-pool round trip
  // (and the pool's start, ~1 ms).
  for (let depth = 0, dir = dirname(fileURLToPath(import.meta.url)); depth < 4; depth++, dir = dirname(dir)) {
    const path = join(dir, 'build', 'isola-shim');
    try {
      accessSync(path, constants.X_OK);
      return path; // the nearest executable one wins
    } catch {
      // Not built here: try the level above.
    }
  }
  throw new IsolaError('ISOLA_RUNTIME_SHIM_MISSING', 'the isola shim (build/isola-shim) has not been built',
    { hint: 'run `npm install` (it compiles native/ with cc)' });
}
