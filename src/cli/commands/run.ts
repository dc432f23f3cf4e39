/**
 * `isola run [flags] -- COMMAND...`: runs a container in the foreground with
 * this terminal, forwards signals to it and exits with its status.
 */
import { isatty } from 'node:tty';
import { Engine } from '../../engine/index.ts';
import { parseArgs } from '../parse-args.ts';
import { RUN_FLAGS, runOptionsFromArgs } from './run-flags.ts';
import type { CliContext } from '../context.ts';
import { ProgressDisplay } from '../progress.ts';

const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];

export async function runCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const args = parseArgs(argv, RUN_FLAGS);
  const { options } = await runOptionsFromArgs(args, context.env, context.cwd);
  // Handlers go in before the container exists: a signal that arrives while
  // it starts must not kill isola and orphan the container. It is held and
  // delivered once the container runs.
  const held: NodeJS.Signals[] = [];
  let deliver = (signal: NodeJS.Signals): void => { held.push(signal); };
  const forward = (signal: NodeJS.Signals): void => deliver(signal);
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  try {
    const engine = await Engine.open(context.engineOptions);
    // isatty, not process.stdin: creating the stdio streams costs
    // milliseconds. The shim copies the terminal's size itself.
    const display = ProgressDisplay.forStderr();
    const container = await engine.run({
      ...options, onPullProgress: display?.onPull,
      isHostTerminalRaw: options.hasTerminal && options.isInteractive && isatty(0),
    });
    for (const note of container.notes) process.stderr.write(`isola: note: ${note}\n`);
    deliver = (signal) => container.signal(signal);
    for (const signal of held) deliver(signal);
    const status = await container.exited;
    return status.signal !== undefined ? 128 + status.signal : status.code ?? 125;
  } finally {
    for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
  }
}
