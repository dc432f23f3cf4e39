// The executables' entry once built: dist/isola.cjs runs dist/isola.bundle.cjs
// (and isola-runtime likewise) from its code cache; see code-cache.ts.
import { runBundle } from './code-cache.ts';

runBundle(process.argv[1]!.replace(/\.cjs$/, '.bundle.cjs'));
