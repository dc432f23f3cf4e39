/** `isola tag IMAGE NAME...`: more names for a stored image. */
import { InvalidOptionError } from '../../errors/index.ts';
import { Engine } from '../../engine/index.ts';
import { parseArgs } from '../parse-args.ts';
import type { CliContext } from '../context.ts';

export async function tagCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const [source, ...targets] = parseArgs(argv, []).positionals;
  if (source === undefined || targets.length === 0) throw new InvalidOptionError('isola tag', 'an image and one or more new names', argv.join(' '));
  const engine = await Engine.open(context.engineOptions);
  try {
    const images = await engine.images();
    for (const target of targets) await images.tag(source, target);
    return 0;
  } finally {
    await engine.close();
  }
}
