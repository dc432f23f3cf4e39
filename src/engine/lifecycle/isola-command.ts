/**
 * How the monitor runs this engine's cleanup when a container exits
 * (conmon's --exit-command): bin/isola of this package, with the engine's
 * root and runroot, found by walking up from this module as the shim is.
 */
import { access, constants } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IsolaError } from '../../errors/index.ts';
import type { EngineSettings } from '../settings.ts';

let located: Promise<string> | undefined;

async function locateIsolaBin(): Promise<string> {
  const candidates: string[] = [];
  for (let depth = 0, dir = dirname(fileURLToPath(import.meta.url)); depth < 5; depth++, dir = dirname(dir)) {
    candidates.push(join(dir, 'bin', 'isola'));
  }
  const found = await Promise.all(candidates.map((path) => access(path, constants.X_OK).then(() => true, () => false)));
  const index = found.indexOf(true);
  if (index !== -1) return candidates[index]!;
  throw new IsolaError('ISOLA_ENGINE_CLI_MISSING', 'bin/isola, which cleans up after a detached container, is not in this package',
    { hint: 'reinstall isola' });
}

/** argv up to the command name: `bin/isola --root R --runroot RR`. */
export async function isolaCommand(settings: EngineSettings): Promise<string[]> {
  located ??= locateIsolaBin();
  return [await located, '--root', settings.root, '--runroot', settings.runroot];
}
