/**
 * `isola run [flags] -- COMMAND...`: runs a container in the foreground with
 * this terminal, forwards signals to it and exits with its status.
 */
import { isatty } from 'node:tty';
import { Engine } from '../../engine/index.ts';
import { parseArgs } from '../parse-args.ts';
import { RUN_FLAGS, runOptionsFromArgs } from './run-flags.ts';
import type { CliContext } from '../context.ts';

const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];

export async function runCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const args = parseArgs(argv, RUN_FLAGS);
  const { options } = await runOptionsFromArgs(args, context.env, context.cwd);
  // isatty, not process.stdin: creating the stdio streams costs milliseconds.
  // The shim copies the terminal's size itself.
  const engine = await Engine.open(context.engineOptions);
  const container = await engine.run({
    ...options,
    isHostTerminalRaw: options.hasTerminal && options.isInteractive && isatty(0),
  });
  const forward = (signal: NodeJS.Signals): void => container.signal(signal);
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  const status = await container.exited;
  for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
  return status.signal !== undefined ? 128 + status.signal : status.code ?? 125;
}
