/**
 * exec: the process from --process FILE (a runtime-spec process object), or
 * the container's own process with the given args, --cwd, --env, --user,
 * --tty; then runtime/'s exec. Without --detach it waits and exits with the
 * process's status.
 */
import { readFile } from 'node:fs/promises';
import { IsolaError, InvalidOptionError } from '../../errors/index.ts';
import { containerConfig, execInContainer, type OciProcess } from '../../runtime/index.ts';
import { containerIdArg, flagBoolean, flagList, flagString, parseRuntimeArgs, preserveFdsFlag, type RuntimeFlag } from './flags.ts';
import type { RuntimeCommand } from './context.ts';

const EXEC_FLAGS: readonly RuntimeFlag[] = [
  { name: 'process', aliases: ['p'], takesValue: true }, { name: 'tty', aliases: ['t'], takesValue: false },
  { name: 'console-socket', takesValue: true }, { name: 'pid-file', takesValue: true },
  { name: 'detach', aliases: ['d'], takesValue: false }, { name: 'cwd', takesValue: true },
  { name: 'env', aliases: ['e'], takesValue: true, isRepeatable: true }, { name: 'user', aliases: ['u'], takesValue: true },
  { name: 'additional-gids', aliases: ['g'], takesValue: true, isRepeatable: true },
  { name: 'no-new-privs', takesValue: false }, { name: 'cap', aliases: ['c'], takesValue: true, isRepeatable: true },
  { name: 'preserve-fds', takesValue: true }, { name: 'apparmor', takesValue: true }, { name: 'process-label', takesValue: true },
  { name: 'ignore-paused', takesValue: false },
];

async function readProcessFile(path: string): Promise<OciProcess> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as OciProcess;
  } catch (error) {
    throw new IsolaError('ISOLA_RUNTIME_INVALID_PROCESS', `cannot read the process file ${path}`, { hint: 'give a runtime-spec process object as JSON', cause: error });
  }
}

function parseUser(text: string): { uid: number; gid: number } {
  const match = /^(\d+)(?::(\d+))?$/.exec(text);
  if (match === null) throw new InvalidOptionError('--user', 'UID[:GID] as numbers', text);
  return { uid: Number(match[1]), gid: Number(match[2] ?? 0) };
}

export const execCommand: RuntimeCommand = async (argv, context) => {
  const args = parseRuntimeArgs(argv, EXEC_FLAGS);
  const id = containerIdArg(args, 'exec');
  const runtime = await context.runtime();
  const processFile = flagString(args, 'process');
  let process_: OciProcess;
  if (processFile !== undefined) {
    process_ = await readProcessFile(processFile);
  } else {
    const commandArgs = args.positionals.slice(1);
    if (commandArgs.length === 0) throw new InvalidOptionError('exec', 'a command after the container id, or --process FILE', 'nothing');
    const base = (await containerConfig(runtime, id)).process;
    if (base === undefined) throw new IsolaError('ISOLA_RUNTIME_INVALID_CONFIG', `container ${id} has no process in its config`);
    const user = flagString(args, 'user');
    process_ = {
      ...base, args: commandArgs, terminal: flagBoolean(args, 'tty'), cwd: flagString(args, 'cwd') ?? base.cwd,
      env: [...(base.env ?? []), ...flagList(args, 'env')],
      user: user === undefined ? base.user : { ...parseUser(user), additionalGids: flagList(args, 'additional-gids').map(Number) },
      noNewPrivileges: flagBoolean(args, 'no-new-privs') || base.noNewPrivileges === true,
    };
  }
  if (process_.terminal === true && flagBoolean(args, 'detach') && flagString(args, 'console-socket') === undefined) {
    throw new InvalidOptionError('--tty', '--console-socket with --detach', 'no console socket');
  }
  const launched = await execInContainer(runtime, id, {
    process: process_, pidFile: flagString(args, 'pid-file'), consoleSocket: flagString(args, 'console-socket'),
    isDetached: flagBoolean(args, 'detach'), preserveFds: preserveFdsFlag(args),
  });
  if (flagBoolean(args, 'detach')) return 0;
  const status = await launched.exited;
  return status.signal === undefined ? status.code ?? 0 : 128 + status.signal;
};
