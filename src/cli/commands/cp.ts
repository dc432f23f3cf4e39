/**
 * `isola cp SRC DST`: one of them is CONTAINER:PATH, the other a host path.
 */
import { resolve } from 'node:path';
import { InvalidOptionError } from '../../errors/index.ts';
import { Engine } from '../../engine/index.ts';
import { parseArgs } from '../parse-args.ts';
import type { CliContext } from '../context.ts';

/** `name:/path` names a container's path; a host path may hold a colon only after a slash (./a:b). */
function containerPath(arg: string): { ref: string; path: string } | undefined {
  const colon = arg.indexOf(':');
  if (colon <= 0 || arg.slice(0, colon).includes('/')) return undefined;
  return { ref: arg.slice(0, colon), path: arg.slice(colon + 1) || '/' };
}

export async function cpCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const args = parseArgs(argv, []);
  const [src, dst, ...rest] = args.positionals;
  if (src === undefined || dst === undefined || rest.length > 0) throw new InvalidOptionError('isola cp', 'SRC DST', args.positionals.join(' '));
  const [from, to] = [containerPath(src), containerPath(dst)];
  if ((from === undefined) === (to === undefined)) {
    throw new InvalidOptionError('isola cp', 'exactly one of SRC and DST as CONTAINER:PATH', `${src} ${dst}`);
  }
  const engine = await Engine.open(context.engineOptions);
  try {
    if (to !== undefined) await engine.copyInto(to.ref, resolve(context.cwd, src), to.path);
    else await engine.copyOut(from!.ref, from!.path, resolve(context.cwd, dst));
    return 0;
  } finally {
    await engine.close();
  }
}
