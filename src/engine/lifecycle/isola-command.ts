/**
 * How the monitor runs this engine's cleanup when a container exits
 * (conmon's --exit-command): bin/isola of this package, with the engine's
 * root and runroot, found as the shim is.
 */
import { IsolaError } from '../../errors/index.ts';
import { locatePackageFile } from '../../runtime/index.ts';
import type { EngineSettings } from '../settings.ts';

let located: Promise<string> | undefined;

async function locateIsolaBin(): Promise<string> {
  const path = locatePackageFile(['bin/isola'], { isExecutable: true });
  if (path !== undefined) return path;
  throw new IsolaError('ISOLA_ENGINE_CLI_MISSING', 'bin/isola, which cleans up after a detached container, is not in this package',
    { hint: 'reinstall isola' });
}

/** argv up to the command name: `bin/isola --root R --runroot RR`. */
export async function isolaCommand(settings: EngineSettings): Promise<string[]> {
  located ??= locateIsolaBin();
  return [await located, '--root', settings.root, '--runroot', settings.runroot];
}
