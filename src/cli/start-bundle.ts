// The executables' entry once built: dist/isola.cjs runs dist/isola.bundle.cjs
// (and isola-runtime likewise) from its code cache; see code-cache.ts.
import { runBundle } from './code-cache.ts';

// This file is built as CommonJS (scripts/build.ts): its own require serves
// the bundle, which sits beside it (node:module's createRequire costs 0.5 ms).
runBundle(process.argv[1]!.replace(/\.cjs$/, '.bundle.cjs'), require);
