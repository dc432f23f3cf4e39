/** `isola push [--tls-verify=false] [--cert-dir DIR] [--creds USER:PASSWORD] IMAGE [DESTINATION]`: uploads a stored image to a registry. */
import { InvalidOptionError } from '../../errors/index.ts';
import { Engine } from '../../engine/index.ts';
import { isFlagSet, parseArgs } from '../parse-args.ts';
import { ProgressDisplay } from '../progress.ts';
import { TRANSFER_FLAGS, registryAccess } from './registry-flags.ts';
import type { CliContext } from '../context.ts';

export async function pushCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const args = parseArgs(argv, [...TRANSFER_FLAGS, { name: 'quiet', short: 'q', takesValue: false, description: 'no progress, only the digest' }]);
  const [source, destination, ...extra] = args.positionals;
  if (source === undefined || extra.length > 0) throw new InvalidOptionError('isola push', 'an image and optionally a destination', args.positionals.join(' '));
  const display = isFlagSet(args, 'quiet') ? undefined : ProgressDisplay.forStderr();
  const engine = await Engine.open(context.engineOptions);
  try {
    const digest = await (await engine.images()).push(source, destination, { ...registryAccess(args, context.cwd), onProgress: display?.onPush });
    process.stdout.write(`${digest}\n`);
    return 0;
  } finally {
    await engine.close();
  }
}
