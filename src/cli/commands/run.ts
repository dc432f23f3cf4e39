/**
 * `isola run [flags] -- COMMAND...`: runs a container in the foreground with
 * this terminal, forwards signals to it and exits with its status.
 */
import { Engine } from '../../engine/index.ts';
import { parseArgs } from '../parse-args.ts';
import { RUN_FLAGS, runOptionsFromArgs } from './run-flags.ts';
import type { CliContext } from '../context.ts';

const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];

export async function runCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const args = parseArgs(argv, RUN_FLAGS);
  const { options } = await runOptionsFromArgs(args, context.env, context.cwd);
  const isTerminalIn = process.stdin.isTTY === true;
  const engine = await Engine.open(context.engineOptions);
  const container = await engine.run({
    ...options,
    consoleSize: process.stdout.isTTY === true ? { rows: process.stdout.rows, cols: process.stdout.columns } : undefined,
    isHostTerminalRaw: options.hasTerminal && options.isInteractive && isTerminalIn,
  });
  const forward = (signal: NodeJS.Signals): void => container.signal(signal);
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  const status = await container.exited;
  for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
  return status.signal !== undefined ? 128 + status.signal : status.code ?? 125;
}
