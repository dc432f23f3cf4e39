/**
 * `features` and `spec`: documents about the runtime, not about a container.
 * `spec` writes config.json into the bundle (the current directory by
 * default) and, as runc does, refuses to overwrite one.
 */
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { IsolaError } from '../../errors/index.ts';
import { defaultSpec, runtimeFeatures } from '../../runtime/index.ts';
import { flagBoolean, flagString, parseRuntimeArgs } from './flags.ts';
import type { RuntimeCommand } from './context.ts';

export const featuresCommand: RuntimeCommand = async (argv) => {
  parseRuntimeArgs(argv, []);
  process.stdout.write(`${JSON.stringify(runtimeFeatures(), null, '  ')}\n`);
  return 0;
};

export const specCommand: RuntimeCommand = async (argv) => {
  const args = parseRuntimeArgs(argv, [{ name: 'bundle', aliases: ['b'], takesValue: true }, { name: 'rootless', takesValue: false }]);
  const bundle = resolve(flagString(args, 'bundle') ?? '.');
  const ids = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  const spec = defaultSpec(flagBoolean(args, 'rootless') ? { rootless: ids } : {});
  const path = join(bundle, 'config.json');
  try {
    await writeFile(path, `${JSON.stringify(spec, null, '\t')}\n`, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    throw new IsolaError('ISOLA_RUNTIME_SPEC_EXISTS', `${path} already exists`, { hint: 'remove it, or give another --bundle' });
  }
  return 0;
};
