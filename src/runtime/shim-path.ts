/**
 * Where the built shim is: build/isola-shim at the package root, found by
 * walking up from this module (src/runtime/ in a checkout, dist/ when bundled).
 */
import { access, constants } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IsolaError } from '../errors/index.ts';

export async function locateShim(): Promise<string> {
  const candidates: string[] = [];
  for (let depth = 0, dir = dirname(fileURLToPath(import.meta.url)); depth < 4; depth++, dir = dirname(dir)) {
    candidates.push(join(dir, 'build', 'isola-shim'));
  }
  // All levels are checked at once; the nearest executable one wins.
  const found = await Promise.all(candidates.map((path) => access(path, constants.X_OK).then(() => true, () => false)));
  const index = found.indexOf(true);
  if (index !== -1) return candidates[index]!;
  throw new IsolaError('ISOLA_RUNTIME_SHIM_MISSING', 'the isola shim (build/isola-shim) has not been built',
    { hint: 'run `npm install` (it compiles native/ with cc)' });
}
