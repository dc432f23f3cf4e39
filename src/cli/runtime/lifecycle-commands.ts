/** create, start, run, kill and delete: flags in, runtime/ calls, exit status out. */
import { isIsolaError } from '../../errors/index.ts';
import {
  createContainer, deleteContainer, explainTakeoverFailure, killContainer, parseSignal, runBundle, startContainer, type CreateOptions,
} from '../../runtime/index.ts';
import { containerIdArg, flagBoolean, flagString, parseRuntimeArgs, preserveFdsFlag, type RuntimeArgs, type RuntimeFlag } from './flags.ts';
import { stateOnlyRuntime, type RuntimeCommand } from './context.ts';

const CREATE_FLAGS: readonly RuntimeFlag[] = [
  { name: 'bundle', aliases: ['b'], takesValue: true }, { name: 'pid-file', takesValue: true },
  { name: 'console-socket', takesValue: true }, { name: 'no-pivot', takesValue: false },
  { name: 'no-new-keyring', takesValue: false }, { name: 'preserve-fds', takesValue: true },
  { name: 'config', takesValue: true },
];

function createOptions(args: RuntimeArgs, command: string): CreateOptions {
  return {
    id: containerIdArg(args, command), bundle: flagString(args, 'bundle') ?? process.cwd(),
    configPath: flagString(args, 'config'), pidFile: flagString(args, 'pid-file'),
    consoleSocket: flagString(args, 'console-socket'), preserveFds: preserveFdsFlag(args),
  };
}

export const createCommand: RuntimeCommand = async (argv, context) => {
  const args = parseRuntimeArgs(argv, CREATE_FLAGS);
  await createContainer(await context.runtime(), { ...createOptions(args, 'create'), detach: 'exit' });
  return 0;
};

export const startCommand: RuntimeCommand = async (argv, context) => {
  const args = parseRuntimeArgs(argv, []);
  await startContainer(stateOnlyRuntime(context), containerIdArg(args, 'start'));
  return 0;
};

const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];

export const runCommand: RuntimeCommand = async (argv, context) => {
  const args = parseRuntimeArgs(argv, [...CREATE_FLAGS, { name: 'detach', aliases: ['d'], takesValue: false }]);
  const options = createOptions(args, 'run');
  const runtime = await context.runtime();
  if (flagBoolean(args, 'detach')) {
    await createContainer(runtime, { ...options, detach: 'exit' });
    await startContainer(runtime, options.id);
    return 0;
  }
  // This process becomes the shim where it can (CreateOptions.takeoverFailureCommand).
  const running = await runBundle(runtime, { ...options, takeoverFailureCommand: [...context.reentry, '__launch-failed'] });
  const forward = (signal: NodeJS.Signals): void => running.signal(signal);
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  try {
    const status = await running.exited;
    return status.signal === undefined ? status.code ?? 0 : 128 + status.signal;
  } finally {
    for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
  }
};

/** `__launch-failed CONTEXT REPORT`: exec'd by the shim of a `run` that failed to start; says why, as run would have. */
export const launchFailedCommand: RuntimeCommand = async (argv) => {
  throw await explainTakeoverFailure(argv[0] ?? '', argv[1] ?? '');
};

export const killCommand: RuntimeCommand = async (argv, context) => {
  const args = parseRuntimeArgs(argv, [{ name: 'all', aliases: ['a'], takesValue: false }]);
  const signal = parseSignal(args.positionals[1] ?? 'SIGTERM');
  await killContainer(stateOnlyRuntime(context), containerIdArg(args, 'kill'), signal, flagBoolean(args, 'all'));
  return 0;
};

export const deleteCommand: RuntimeCommand = async (argv, context) => {
  const args = parseRuntimeArgs(argv, [{ name: 'force', aliases: ['f'], takesValue: false }]);
  const isForced = flagBoolean(args, 'force');
  try {
    await deleteContainer(stateOnlyRuntime(context), containerIdArg(args, 'delete'), isForced);
  } catch (error) {
    // runc: deleting a container that does not exist is no error when forced.
    if (isForced && isIsolaError(error) && error.code === 'ISOLA_RUNTIME_NOT_FOUND') return 0;
    throw error;
  }
  return 0;
};
