/**
 * `isola exec [-i] [-t] [-u USER] [-e K=V] [-w DIR] NAME COMMAND...`: runs a
 * process in a running container with this terminal, forwards signals to it
 * and exits with its status.
 */
import { isatty } from 'node:tty';
import { InvalidOptionError } from '../../errors/index.ts';
import { Engine } from '../../engine/index.ts';
import { flagValue, flagValues, isFlagSet, parseArgs, type FlagSpec } from '../parse-args.ts';
import type { CliContext } from '../context.ts';

const EXEC_FLAGS: readonly FlagSpec[] = [
  { name: 'interactive', short: 'i', takesValue: false, description: 'keep stdin open' },
  { name: 'tty', short: 't', takesValue: false, description: 'give the process a terminal' },
  { name: 'user', short: 'u', takesValue: true, valueName: 'USER[:GROUP]', description: 'the user the process runs as' },
  { name: 'env', short: 'e', takesValue: true, isRepeatable: true, valueName: 'K=V', description: 'set an environment variable' },
  { name: 'workdir', short: 'w', takesValue: true, valueName: 'DIR', description: 'the working directory inside' },
  { name: 'privileged', takesValue: false, description: 'refused: an exec gets the container\'s own capabilities' },
];

const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];

export async function execCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const args = parseArgs(argv, EXEC_FLAGS);
  const [ref, ...cmd] = args.positionals;
  if (ref === undefined || cmd.length === 0) throw new InvalidOptionError('isola exec', 'NAME COMMAND [ARG...]', args.positionals.join(' '));
  if (isFlagSet(args, 'privileged')) {
    throw new InvalidOptionError('--privileged', 'false: an exec gets the container\'s own capabilities', 'true');
  }
  const env = flagValues(args, 'env').flatMap((e) => (e.includes('=') ? [e] : context.env[e] === undefined ? [] : [`${e}=${context.env[e]}`]));
  const hasTerminal = isFlagSet(args, 'tty');
  const isInteractive = isFlagSet(args, 'interactive');
  const held: NodeJS.Signals[] = [];
  let deliver = (signal: NodeJS.Signals): void => { held.push(signal); };
  const forward = (signal: NodeJS.Signals): void => deliver(signal);
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  const engine = await Engine.open(context.engineOptions);
  try {
    const launched = await engine.exec(ref, {
      cmd, user: flagValue(args, 'user'), env, cwd: flagValue(args, 'workdir'), isInteractive, hasTerminal,
      isHostTerminalRaw: hasTerminal && isInteractive && isatty(0),
    });
    deliver = (signal) => launched.signal(signal);
    for (const signal of held) deliver(signal);
    const status = await launched.exited;
    return status.signal !== undefined ? 128 + status.signal : status.code ?? 125;
  } finally {
    for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
    await engine.close();
  }
}
