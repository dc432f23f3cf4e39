/**
 * `isola attach NAME`: this terminal on a running container, until it exits;
 * exits with its status. Input reaches a container with a terminal (-t).
 */
import { InvalidOptionError } from '../../errors/index.ts';
import { Engine } from '../../engine/index.ts';
import { parseArgs } from '../parse-args.ts';
import type { CliContext } from '../context.ts';

export async function attachCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const args = parseArgs(argv, []);
  const [ref, ...rest] = args.positionals;
  if (ref === undefined || rest.length > 0) throw new InvalidOptionError('isola attach', 'one container name or id', args.positionals.join(' '));
  const engine = await Engine.open(context.engineOptions);
  const stdin = process.stdin;
  const isRaw = stdin.isTTY;
  try {
    const socket = await engine.attach(ref);
    const closed = new Promise<void>((resolve) => { socket.once('close', () => resolve()); });
    socket.on('error', () => {}); // the close that follows ends the attach
    socket.pipe(process.stdout, { end: false });
    if (isRaw) stdin.setRawMode(true);
    // The end of our input is not the end of the attach: output flows until the container exits.
    stdin.pipe(socket, { end: false });
    stdin.once('end', () => socket.end());
    await closed;
    stdin.unpipe(socket);
    stdin.destroy();
    const code = await engine.wait(ref).catch(() => undefined);
    return code ?? 0;
  } finally {
    if (isRaw) stdin.setRawMode(false);
    await engine.close();
  }
}
