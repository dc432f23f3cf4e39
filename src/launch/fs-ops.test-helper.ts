import { access, constants } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** build/isola-shim of this checkout; tests need `node scripts/build.ts` first. */
export async function locateShimForTest(): Promise<string> {
  const path = fileURLToPath(new URL('../../build/isola-shim', import.meta.url));
  await access(path, constants.X_OK);
  return path;
}
