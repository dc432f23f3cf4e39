/**
 * isola-runtime: the OCI runtime command line (runc's), over runtime/. Global
 * flags, the command table, and the one place that prints errors: on stderr
 * and, with --log, in the log file (JSON lines with level and msg under
 * --log-format json, as containerd and conmon read them). Errors exit 1, as
 * runc's do; run and exec exit with the container process's status.
 */
import { appendFileSync } from 'node:fs';
import { isIsolaError } from '../../errors/index.ts';
import { flagBoolean, flagString, parseRuntimeArgs, type RuntimeFlag } from './flags.ts';
import type { RuntimeCommand, RuntimeCliContext } from './context.ts';
import { openRuntime } from './context.ts';

export const GLOBAL_FLAGS: readonly RuntimeFlag[] = [
  { name: 'root', takesValue: true }, { name: 'log', takesValue: true }, { name: 'log-format', takesValue: true },
  { name: 'debug', takesValue: false }, { name: 'systemd-cgroup', takesValue: false },
  { name: 'cgroup-manager', takesValue: true }, { name: 'rootless', takesValue: true },
  { name: 'criu', takesValue: true }, { name: 'version', aliases: ['v'], takesValue: false },
  { name: 'help', aliases: ['h'], takesValue: false },
];

const COMMANDS: Readonly<Record<string, () => Promise<RuntimeCommand>>> = {
  create: async () => (await import('./lifecycle-commands.ts')).createCommand,
  start: async () => (await import('./lifecycle-commands.ts')).startCommand,
  run: async () => (await import('./lifecycle-commands.ts')).runCommand,
  kill: async () => (await import('./lifecycle-commands.ts')).killCommand,
  delete: async () => (await import('./lifecycle-commands.ts')).deleteCommand,
  exec: async () => (await import('./exec-command.ts')).execCommand,
  state: async () => (await import('./info-commands.ts')).stateCommand,
  list: async () => (await import('./info-commands.ts')).listCommand,
  ps: async () => (await import('./info-commands.ts')).psCommand,
  pause: async () => (await import('./info-commands.ts')).pauseCommand,
  resume: async () => (await import('./info-commands.ts')).resumeCommand,
  update: async () => (await import('./info-commands.ts')).updateCommand,
  features: async () => (await import('./spec-commands.ts')).featuresCommand,
  spec: async () => (await import('./spec-commands.ts')).specCommand,
  // Not for users: what a `run` that became the shim execs when the start fails.
  '__launch-failed': async () => (await import('./lifecycle-commands.ts')).launchFailedCommand,
};

const USAGE = `usage: isola-runtime [--root DIR] [--log FILE] [--log-format text|json] [--systemd-cgroup] COMMAND [flags] ID

An OCI runtime with runc's command line; containers get the user namespace their config asks for.

commands:
  create [--bundle DIR] [--pid-file F] [--console-socket S] ID   set up a container, its process not started
  start ID                          run the created container's process
  run [--bundle DIR] [--detach] ID  create + start (+ wait and delete without --detach)
  state ID                          the state as JSON (runtime-spec)
  kill [--all] ID [SIGNAL]          signal the init (default TERM) or, with --all, every process
  delete [--force] ID               remove a stopped (or, forced, a running) container
  exec [--process F | ARGS...] ID   run another process in the container (--tty --detach --pid-file --cwd --env --user)
  ps [--format table|json] ID       its processes
  list [--format table|json] [-q]   every container under --root
  pause ID, resume ID               freeze and thaw its cgroup
  update --resources FILE ID        new pids, memory and cpu limits (or --pids-limit --memory --cpu-quota --cpu-period)
  features                          what this runtime supports, as JSON (runtime-spec features)
  spec [--bundle DIR] [--rootless]  write a default config.json`;


function errorText(error: unknown, isDebug: boolean): string {
  if (isIsolaError(error)) return `${error.message}${error.hint === undefined ? '' : ` (${error.hint})`}`;
  if (error instanceof Error) return isDebug ? error.stack ?? error.message : `internal error: ${error.message}`;
  return `internal error: ${String(error)}`;
}

function logLine(format: string, level: 'error' | 'warning', text: string): string {
  return format === 'json'
    ? JSON.stringify({ level, msg: text, time: new Date().toISOString() })
    : `time="${new Date().toISOString()}" level=${level} msg=${JSON.stringify(text)}`;
}

async function logError(logFile: string | undefined, format: string, text: string): Promise<void> {
  if (logFile === undefined) return;
  // The log is best effort: the error is on stderr already.
  // Synchronous, as the warnings: node:fs/promises costs milliseconds to load.
  try {
    appendFileSync(logFile, `${logLine(format, 'error', text)}\n`);
  } catch {
    // See above.
  }
}

function defaultRoot(env: NodeJS.ProcessEnv, uid: number): string {
  if (uid === 0) return '/run/isola-runtime';
  const runtimeDir = env['XDG_RUNTIME_DIR'];
  return runtimeDir !== undefined && runtimeDir !== '' ? `${runtimeDir}/isola-runtime` : `/tmp/isola-runtime-${uid}`;
}

export async function main(argv: readonly string[]): Promise<number> {
  let logFile: string | undefined;
  let logFormat = 'text';
  let isDebug = false;
  try {
    const global = parseRuntimeArgs(argv, GLOBAL_FLAGS);
    logFile = flagString(global, 'log');
    logFormat = flagString(global, 'log-format') ?? 'text';
    isDebug = flagBoolean(global, 'debug');
    const [name, ...rest] = global.positionals;
    if (flagBoolean(global, 'version') || name === 'version') {
      const { runtimeVersionText } = await import('../../runtime/index.ts');
      process.stdout.write(`${runtimeVersionText('isola-runtime', '0.1.0')}\n`);
      return 0;
    }
    const load = name === undefined ? undefined : COMMANDS[name];
    if (load === undefined || flagBoolean(global, 'help')) {
      (load === undefined && name !== undefined ? process.stderr : process.stdout).write(`${USAGE}\n`);
      return name === undefined || flagBoolean(global, 'help') ? 0 : 1;
    }
    const uid = process.getuid?.() ?? 0;
    const manager = flagBoolean(global, 'systemd-cgroup') ? 'systemd' : flagString(global, 'cgroup-manager') ?? 'cgroupfs';
    if (manager !== 'cgroupfs' && manager !== 'systemd' && manager !== 'disabled') {
      const { InvalidOptionError } = await import('../../errors/index.ts');
      throw new InvalidOptionError('--cgroup-manager', 'cgroupfs, systemd or disabled', manager);
    }
    const root = flagString(global, 'root') ?? defaultRoot(process.env, uid);
    const onWarning = (error: unknown): void => {
      const text = errorText(error, isDebug);
      process.stderr.write(`isola-runtime: warning: ${text}\n`);
      try {
        // Synchronous: warnings are rare, and this keeps them in order before the exit.
        if (logFile !== undefined) appendFileSync(logFile, `${logLine(logFormat, 'warning', text)}\n`);
      } catch {
        // Best effort, as for errors: the warning is on stderr already.
      }
    };
    const context: RuntimeCliContext = {
      root, cgroupManager: manager, onWarning, runtime: () => openRuntime(root, manager, onWarning),
      reentry: [process.execPath, ...process.execArgv, process.argv[1]!, ...argv.slice(0, argv.length - global.positionals.length)],
    };
    return await (await load())(rest, context);
  } catch (error) {
    const text = errorText(error, isDebug);
    process.stderr.write(`isola-runtime: ${text}\n`);
    await logError(logFile, logFormat, text);
    return 1;
  }
}
