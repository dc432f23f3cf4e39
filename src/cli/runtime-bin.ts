// isola-runtime's entry: cache compiled code across runs, then run.
import { enableCompileCache } from 'node:module';

enableCompileCache?.();
void import('./runtime/main.ts').then(async ({ main }) => {
  process.exitCode = await main(process.argv.slice(2));
});
