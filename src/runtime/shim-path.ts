/** Where the built shim is: build/isola-shim at the package root. */
import { IsolaError } from '../errors/index.ts';
import { locatePackageFile } from './package-file.ts';

export async function locateShim(): Promise<string> {
  const path = locatePackageFile(['build/isola-shim'], { isExecutable: true });
  if (path !== undefined) return path;
  throw new IsolaError('ISOLA_RUNTIME_SHIM_MISSING', 'the isola shim (build/isola-shim) has not been built',
    { hint: 'run `npm install` (it compiles native/ with cc)' });
}
