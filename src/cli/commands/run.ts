/**
 * `isola run [flags] -- COMMAND...`: runs a container in the foreground with
 * this terminal, forwards signals to it and exits with its status; with -d,
 * starts it under its monitor, prints its id and exits.
 */
import { writeSync } from 'node:fs';
import { Engine } from '../../engine/index.ts';
import { InvalidOptionError } from '../../errors/index.ts';
import { flagValue, isFlagSet, parseArgs, type ParsedArgs } from '../parse-args.ts';
import { RUN_FLAGS, runOptionsFromArgs, type RunCommandLine } from './run-flags.ts';
import { CREATE_FLAGS, createOptionsFromRun } from './create-flags.ts';
import type { CliContext } from '../context.ts';
import { ProgressDisplay } from '../progress.ts';

const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];

async function runDetached(args: ParsedArgs, line: RunCommandLine, context: CliContext): Promise<number> {
  const engine = await Engine.open(context.engineOptions);
  try {
    const onPullProgress = ProgressDisplay.forStderr()?.onPull;
    const container = await engine.run({ ...createOptionsFromRun(args, line.options, line.shouldRemove), onPullProgress, detach: true });
    process.stdout.write(`${container.id}\n`);
    return 0;
  } finally {
    await engine.close();
  }
}

export async function runCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const args = parseArgs(argv, [...RUN_FLAGS, ...CREATE_FLAGS]);
  const line = await runOptionsFromArgs(args, context.env, context.cwd);
  if (isFlagSet(args, 'detach')) return runDetached(args, line, context);
  for (const name of ['name', 'restart', 'stop-signal']) {
    if (flagValue(args, name) !== undefined) throw new InvalidOptionError(`--${name}`, 'only with -d (a foreground run is not recorded)', flagValue(args, name));
  }
  const { options } = line;
  // Handlers go in before the container exists: a signal that arrives while
  // it starts must not kill isola and orphan the container. It is held and
  // delivered once the container runs.
  const held: NodeJS.Signals[] = [];
  let deliver = (signal: NodeJS.Signals): void => { held.push(signal); };
  const forward = (signal: NodeJS.Signals): void => deliver(signal);
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  try {
    const engine = await Engine.open(context.engineOptions);
    // isatty, not process.stdin, and the progress display only once there
    // is a pull: creating the stdio streams (net, tty) costs milliseconds.
    // The shim copies the terminal's size itself.
    let display: ProgressDisplay | undefined;
    const isRaw = options.hasTerminal && options.isInteractive && (await import('node:tty')).isatty(0);
    const container = await engine.run({
      ...options, onPullProgress: (event) => (display ??= ProgressDisplay.forStderr())?.onPull(event),
      isHostTerminalRaw: isRaw,
      // This process becomes the container's monitor where it can (see RunOptions.takeover).
      takeover: {
        failureCommand: [process.execPath, ...process.execArgv, process.argv[1]!, 'container', 'launch-failed'],
        // Synchronous: the exec comes next, and would lose a pending write.
        onNotes: (notes) => { for (const note of notes) writeSync(2, `isola: note: ${note}\n`); },
      },
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
