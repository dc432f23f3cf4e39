/**
 * The isola command line: global flags, a name-to-handler table, and the one
 * place that prints errors and picks exit statuses (podman's: 125 engine
 * error, 126 cannot execute, 127 not found, else the container's status).
 */
import { InvalidOptionError, isIsolaError, type IsolaError } from '../errors/index.ts';
import { flagValue, formatFlagHelp, HelpRequest, parseArgs, type FlagSpec } from './parse-args.ts';
import { authFiles, configFiles, defaultLocations, registriesFiles, type CliContext } from './context.ts';

export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  { name: 'root', takesValue: true, valueName: 'DIR', description: 'images, containers and the state database (default /var/lib/isola)' },
  { name: 'runroot', takesValue: true, valueName: 'DIR', description: 'run-time state (default /run/isola)' },
  { name: 'help', short: 'h', takesValue: false, description: 'show this help, or a command\'s (isola help COMMAND)' },
  { name: 'version', takesValue: false, description: 'print the version' },
];

type Command = (argv: readonly string[], context: CliContext) => Promise<number>;

export interface CommandEntry {
  /** After `isola `: the command's synopsis, one line per form. */
  readonly usage: string;
  /** One line for `isola --help`. */
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

const CONTAINER_COMMANDS: Readonly<Record<string, Omit<CommandEntry, 'load'>>> = {
  create: { usage: 'create [run flags] IMAGE [COMMAND...]\ncreate [run flags] --rootfs DIR -- COMMAND...', summary: 'record a container without starting it' },
  start: { usage: 'start NAME...\nstart -a [-i] [--detach-keys KEYS] NAME', summary: 'start created or stopped containers under their monitors' },
  stop: { usage: 'stop [-t SECONDS] NAME...', summary: 'stop containers: their stop signal, then SIGKILL' },
  kill: { usage: 'kill [-s SIGNAL] NAME...', summary: 'send containers a signal' },
  restart: { usage: 'restart [-t SECONDS] NAME...', summary: 'stop, then start containers' },
  wait: { usage: 'wait NAME...', summary: 'wait for containers to exit and print their statuses' },
  rm: { usage: 'rm [-f] [-v] NAME...', summary: 'remove containers with their files and host ids' },
  rename: { usage: 'rename NAME NEW_NAME', summary: 'rename a container' },
  prune: { usage: 'prune', summary: 'remove every stopped container' },
  pause: { usage: 'pause NAME...', summary: 'freeze containers\' processes' },
  unpause: { usage: 'unpause NAME...', summary: 'thaw paused containers' },
};

/** Commands load on demand, so each pays only for its own code. */
export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  run: {
    usage: 'run [flags] IMAGE [COMMAND [ARG...]]\nrun [flags] --rootfs DIR -- COMMAND [ARG...]\nrun [flags] --layer DIR... -- COMMAND [ARG...]',
    summary: 'run a command in a new container', load: async () => (await import('./commands/run.ts')).runCommand,
  },
  userns: { usage: 'userns ls [--format table|json]', summary: 'list the host id ranges containers hold, and the pool', load: async () => (await import('./commands/userns.ts')).usernsCommand },
  pull: { usage: 'pull [flags] REF', summary: 'fetch an image from a registry', load: async () => (await import('./commands/pull.ts')).pullCommand },
  push: { usage: 'push [flags] IMAGE [REF]', summary: 'send a stored image to a registry', load: async () => (await import('./commands/push.ts')).pushCommand },
  images: { usage: 'images [flags]', summary: 'list stored images', load: async () => (await import('./commands/images.ts')).imagesCommand },
  image: {
    usage: 'image ls|inspect|rm|tag|push|pull|load|save|import [flags] [ARG...]',
    summary: 'image commands under one name, as podman\'s', load: async () => (await import('./commands/image.ts')).imageCommand,
  },
  rmi: { usage: 'rmi [-f] IMAGE...', summary: 'remove images (names; layers no other image uses)', load: async () => (await import('./commands/rmi.ts')).rmiCommand },
  tag: { usage: 'tag IMAGE NAME...', summary: 'give an image more names', load: async () => (await import('./commands/tag.ts')).tagCommand },
  login: { usage: 'login -u USER -p PASS|--password-stdin REGISTRY', summary: 'store credentials for a registry', load: async () => (await import('./commands/login.ts')).loginCommand },
  logout: { usage: 'logout REGISTRY', summary: 'forget a registry\'s credentials', load: async () => (await import('./commands/login.ts')).logoutCommand },
  load: { usage: 'load [-i ARCHIVE]   (without -i: from stdin)', summary: 'store the images of a docker or OCI archive', load: async () => (await import('./commands/archive.ts')).loadCommand },
  save: { usage: 'save -o FILE [--format docker-archive|oci-archive] IMAGE...', summary: 'write images to an archive', load: async () => (await import('./commands/archive.ts')).saveCommand },
  import: { usage: 'import [-c|--change \'CMD ["sh"]\']... [-m MESSAGE] TARBALL|- [NAME]', summary: 'make an image from a root filesystem tarball (- for stdin)', load: async () => (await import('./commands/archive.ts')).importCommand },
  volume: { usage: 'volume create|ls|rm [-f]|inspect|prune [flags] [NAME...]', summary: 'named volumes (-v NAME:/path makes one on first use)', load: async () => (await import('./commands/volume.ts')).volumeCommand },
  system: { usage: 'system prune [-f] [--volumes]', summary: 'remove stopped containers and layer copies (and volumes) nothing uses', load: async () => (await import('./commands/system.ts')).systemCommand },
  ...Object.fromEntries(Object.entries(CONTAINER_COMMANDS).map(([name, entry]) =>
    [name, { ...entry, load: async () => (await import('./commands/containers.ts')).containerCommand(name) }])),
  container: {
    usage: 'container COMMAND [flags] [ARG...]   (any container command, e.g. container rm NAME)',
    summary: 'container commands under one name, as podman\'s', load: async () => (await import('./commands/containers.ts')).containerGroupCommand,
  },
  exec: { usage: 'exec [flags] NAME COMMAND [ARG...]', summary: 'run a process in a running container (same namespaces, ID map, cgroup)', load: async () => (await import('./commands/exec.ts')).execCommand },
  ps: { usage: 'ps [flags]', summary: 'list containers', load: async () => (await import('./commands/views.ts')).psCommand },
  inspect: { usage: 'inspect NAME...', summary: 'show containers\' details as JSON', load: async () => (await import('./commands/views.ts')).inspectCommand },
  logs: { usage: 'logs [flags] NAME', summary: 'print what a container wrote', load: async () => (await import('./commands/views.ts')).logsCommand },
  top: { usage: 'top NAME [DESCRIPTOR...]   (user huser pid hpid ppid hppid group hgroup etime time pcpu comm args)', summary: 'list a container\'s processes', load: async () => (await import('./commands/views.ts')).topCommand },
  stats: { usage: 'stats [flags] [NAME...]', summary: 'show containers\' cpu, memory and pids use', load: async () => (await import('./commands/views.ts')).statsCommand },
  cp: { usage: 'cp SRC DST   (one of them NAME:PATH)', summary: 'copy files into or out of a container', load: async () => (await import('./commands/cp.ts')).cpCommand },
  attach: { usage: 'attach [--detach-keys KEYS] NAME', summary: 'connect this terminal to a running container', load: async () => (await import('./commands/attach.ts')).attachCommand },
};

/** `isola --help`: every command with its summary. */
export function formatMainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, entry]) => `  ${name.padEnd(width)}   ${entry.summary}`);
  return `usage: isola [global flags] COMMAND [flags] [ARG...]

commands:
${lines.join('\n')}

global flags:
${formatFlagHelp(GLOBAL_FLAGS)}

isola help COMMAND (or isola COMMAND --help) shows a command's flags.
configuration: /etc/isola/isola.toml, and for an ordinary user $XDG_CONFIG_HOME/isola/isola.toml
`;
}

/** `isola COMMAND --help`: its usage and summary, then the flags its parser was given. */
export function formatCommandHelp(name: string, entry: CommandEntry, request: HelpRequest): string {
  const usage = entry.usage.split('\n').map((line, i) => `${i === 0 ? 'usage: ' : '       '}isola ${line}`).join('\n');
  const title = request.subcommand === undefined ? 'flags:' : `flags of isola ${name} ${request.subcommand}:`;
  const flags = request.flags.length === 0 ? '(no flags)' : `${title}\n${formatFlagHelp(request.flags)}`;
  return `${usage}\n\n${entry.summary}\n\n${flags}\n`;
}

/** A command asked for help must throw HelpRequest before it looks at its context. */
const HELP_ONLY_CONTEXT = new Proxy({}, {
  get: (_target, key) => { throw new Error(`a command read context.${String(key)} before answering --help`); },
}) as CliContext;

/**
 * Runs a command's own parser with `--help` after `argv` (a subcommand): the
 * answer carries the very flag table that parser uses.
 * @returns undefined for an unknown command or one that did not ask for help
 */
export async function requestHelp(name: string, argv: readonly string[] = []): Promise<HelpRequest | undefined> {
  const entry = COMMANDS[name];
  if (entry === undefined) return undefined;
  try {
    await (await entry.load())([...argv, '--help'], HELP_ONLY_CONTEXT);
  } catch (error) {
    if (error instanceof HelpRequest) return error;
    throw error;
  }
  return undefined;
}

async function commandHelp(name: string, argv: readonly string[]): Promise<string | undefined> {
  const entry = COMMANDS[name];
  const request = await requestHelp(name, argv);
  return entry === undefined || request === undefined ? undefined : formatCommandHelp(name, entry, request);
}

function exitStatusFor(error: IsolaError): number {
  const step = (error as { step?: string }).step;
  const errno = (error as { errnoName?: string }).errnoName;
  if (step === 'exec' && errno === 'ENOENT') return 127;
  if (step === 'exec' || step === 'chdir') return 126;
  return 125;
}

function printError(error: unknown): number {
  if (isIsolaError(error)) {
    const hint = error.hint === undefined ? '' : ` (${error.hint})`;
    process.stderr.write(`isola: ${error.message}${hint}\n`);
    return exitStatusFor(error);
  }
  const text = error instanceof Error ? error.stack ?? error.message : String(error);
  process.stderr.write(`isola: internal error: ${text}\n`);
  return 125;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    const global = parseArgs(argv, GLOBAL_FLAGS);
    const [name, ...rest] = global.positionals;
    if (global.flags.has('version')) {
      process.stdout.write('isola version 0.1.0\n');
      return 0;
    }
    // `isola help [COMMAND [SUB]]` and `isola --help [COMMAND]` are `isola COMMAND --help`.
    const isHelp = global.flags.has('help') || name === 'help';
    const target = name === 'help' ? rest[0] : name;
    const entry = target === undefined ? undefined : COMMANDS[target];
    if (target === undefined) {
      process.stdout.write(formatMainHelp());
      return 0;
    }
    if (entry === undefined) {
      throw new InvalidOptionError('COMMAND', 'a command (isola --help lists them)', target);
    }
    if (isHelp) {
      process.stdout.write(await commandHelp(target, name === 'help' ? rest.slice(1) : rest) ?? formatMainHelp());
      return 0;
    }
    const env = process.env;
    const uid = process.getuid?.() ?? 0;
    const locations = defaultLocations(env, uid);
    const context: CliContext = {
      env, cwd: process.cwd(),
      engineOptions: {
        root: flagValue(global, 'root') ?? locations.root,
        runroot: flagValue(global, 'runroot') ?? locations.runroot,
        searchPath: env['PATH'],
        configFiles: configFiles(env, uid),
        ...authFiles(env),
        registriesFiles: registriesFiles(env, uid),
        // One run per command line: a shim spawned for a next one would be wasted.
        keepsSpareShim: false,
      },
    };
    try {
      return await (await entry.load())(rest, context);
    } catch (error) {
      if (!(error instanceof HelpRequest)) throw error;
      process.stdout.write(formatCommandHelp(target, entry, error));
      return 0;
    }
  } catch (error) {
    return printError(error);
  }
}
