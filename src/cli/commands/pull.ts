/**
 * `isola pull [--tls-verify=false] [--cert-dir DIR] [--creds USER:PASSWORD] [--quiet] [--platform OS/ARCH[/VARIANT]] REF`: fetches an image into the
 * store, showing per-layer progress on a terminal, and prints its id.
 */
import { InvalidOptionError } from '../../errors/index.ts';
import { Engine } from '../../engine/index.ts';
import { flagValue, isFlagSet, parseArgs, type FlagSpec } from '../parse-args.ts';
import { ProgressDisplay } from '../progress.ts';
import { TRANSFER_FLAGS, registryAccess } from './registry-flags.ts';
import type { CliContext } from '../context.ts';

const PULL_FLAGS: readonly FlagSpec[] = [
  ...TRANSFER_FLAGS, { name: 'quiet', short: 'q', takesValue: false, description: 'no progress, only the id' },
  { name: 'platform', takesValue: true, valueName: 'OS/ARCH[/VARIANT]', description: 'the platform to pick from a multi-platform image' },
];

export async function pullCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const args = parseArgs(argv, PULL_FLAGS);
  const [reference, ...extra] = args.positionals;
  if (reference === undefined || extra.length > 0) throw new InvalidOptionError('isola pull', 'one image reference', args.positionals.join(' '));
  const display = isFlagSet(args, 'quiet') ? undefined : ProgressDisplay.forStderr();
  const engine = await Engine.open(context.engineOptions);
  try {
    const image = await (await engine.images()).pull(reference, {
      ...registryAccess(args, context.cwd), onProgress: display?.onPull, platform: flagValue(args, 'platform'),
    });
    process.stdout.write(`${image.id}\n`);
    return 0;
  } finally {
    await engine.close();
  }
}
