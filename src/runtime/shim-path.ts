/**
 * Where the built shim is: build/isola-shim at the package root, found by
 * walking up from this module (src/runtime/ in a checkout, dist/ when bundled).
 */
import { access, constants } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IsolaError } from '../errors/index.ts';

export async function locateShim(): Promise<string> {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 4; depth++, dir = dirname(dir)) {
    const candidate = join(dir, 'build', 'isola-shim');
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not at this level; try the parent
    }
  }
  throw new IsolaError('ISOLA_RUNTIME_SHIM_MISSING', 'the isola shim (build/isola-shim) has not been built',
    { hint: 'run `npm install` (it compiles native/ with cc)' });
}
