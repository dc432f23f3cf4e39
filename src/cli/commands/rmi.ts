/**
 * `isola rmi [-f] IMAGE...`: removes names, and images no name refers to any
 * more, with layers nothing else uses. An image a container uses is refused;
 * -f removes those containers too (as podman).
 */
import { InvalidOptionError } from '../../errors/index.ts';
import { Engine } from '../../engine/index.ts';
import { isFlagSet, parseArgs } from '../parse-args.ts';
import type { CliContext } from '../context.ts';

export async function rmiCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const args = parseArgs(argv, [{ name: 'force', short: 'f', takesValue: false, description: 'first remove the containers made from them' }]);
  if (args.positionals.length === 0) throw new InvalidOptionError('isola rmi', 'one or more images', 'nothing');
  const engine = await Engine.open(context.engineOptions);
  try {
    const removed = await engine.removeImages(args.positionals, { force: isFlagSet(args, 'force') });
    for (const [i, result] of removed.entries()) {
      process.stdout.write(result.isImageRemoved ? `Deleted: ${result.id}\n` : `Untagged: ${args.positionals[i]}\n`);
    }
    return 0;
  } finally {
    await engine.close();
  }
}
