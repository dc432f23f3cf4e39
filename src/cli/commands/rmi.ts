/** `isola rmi IMAGE...`: removes names, and images no name refers to any more, with layers nothing else uses. */
import { InvalidOptionError } from '../../errors/index.ts';
import { Engine } from '../../engine/index.ts';
import { parseArgs } from '../parse-args.ts';
import type { CliContext } from '../context.ts';

export async function rmiCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const args = parseArgs(argv, []);
  if (args.positionals.length === 0) throw new InvalidOptionError('isola rmi', 'one or more images', 'nothing');
  const engine = await Engine.open(context.engineOptions);
  try {
    const removed = await (await engine.images()).remove(args.positionals);
    for (const [i, result] of removed.entries()) {
      process.stdout.write(result.isImageRemoved ? `Deleted: ${result.id}\n` : `Untagged: ${args.positionals[i]}\n`);
    }
    return 0;
  } finally {
    await engine.close();
  }
}
