/**
 * The isola command line: global flags, a name-to-handler table, and the one
 * place that prints errors and picks exit statuses (podman's: 125 engine
 * error, 126 cannot execute, 127 not found, else the container's status).
 */
import { isIsolaError, type IsolaError } from '../errors/index.ts';
import { flagValue, parseArgs, type FlagSpec } from './parse-args.ts';
import { authFiles, configFiles, defaultLocations, registriesFiles, type CliContext } from './context.ts';

const GLOBAL_FLAGS: readonly FlagSpec[] = [
  { name: 'root', takesValue: true }, { name: 'runroot', takesValue: true },
  { name: 'help', takesValue: false }, { name: 'version', takesValue: false },
];

type Command = (argv: readonly string[], context: CliContext) => Promise<number>;

/** Commands load on demand, so each pays only for its own code. */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  run: async () => (await import('./commands/run.ts')).runCommand,
  userns: async () => (await import('./commands/userns.ts')).usernsCommand,
  pull: async () => (await import('./commands/pull.ts')).pullCommand,
  push: async () => (await import('./commands/push.ts')).pushCommand,
  images: async () => (await import('./commands/images.ts')).imagesCommand,
  image: async () => (await import('./commands/image.ts')).imageCommand,
  rmi: async () => (await import('./commands/rmi.ts')).rmiCommand,
  tag: async () => (await import('./commands/tag.ts')).tagCommand,
  login: async () => (await import('./commands/login.ts')).loginCommand,
  logout: async () => (await import('./commands/login.ts')).logoutCommand,
  load: async () => (await import('./commands/archive.ts')).loadCommand,
  save: async () => (await import('./commands/archive.ts')).saveCommand,
  import: async () => (await import('./commands/archive.ts')).importCommand,
  volume: async () => (await import('./commands/volume.ts')).volumeCommand,
  system: async () => (await import('./commands/system.ts')).systemCommand,
  ...Object.fromEntries(['create', 'start', 'stop', 'kill', 'restart', 'wait', 'rm', 'rename', 'prune', 'pause', 'unpause'].map((name) =>
    [name, async () => (await import('./commands/containers.ts')).containerCommand(name)])),
  container: async () => (await import('./commands/containers.ts')).containerGroupCommand,
  exec: async () => (await import('./commands/exec.ts')).execCommand,
  ps: async () => (await import('./commands/views.ts')).psCommand,
  inspect: async () => (await import('./commands/views.ts')).inspectCommand,
  logs: async () => (await import('./commands/views.ts')).logsCommand,
  top: async () => (await import('./commands/views.ts')).topCommand,
  stats: async () => (await import('./commands/views.ts')).statsCommand,
  cp: async () => (await import('./commands/cp.ts')).cpCommand,
  attach: async () => (await import('./commands/attach.ts')).attachCommand,
};

const USAGE = `usage: isola [--root DIR] [--runroot DIR] COMMAND [flags]

commands:
  run [flags] --rootfs DIR -- COMMAND...   run a command in a new container
  userns ls [--format table|json]          list the host id ranges containers hold, and the pool
  pull [--tls-verify=false] [--cert-dir DIR] [--platform OS/ARCH] REF   fetch an image from a registry
  push [--tls-verify=false] [--cert-dir DIR] IMAGE [REF]    send a stored image to a registry
  images, image ls [--format table|json]   list stored images
  image inspect IMAGE...                   show an image's details (podman's JSON)
  rmi [-f] IMAGE...                        remove images (names; layers no other image uses)
  tag IMAGE NAME...                        give an image more names
  login -u USER -p PASS|--password-stdin REGISTRY, logout REGISTRY
  load -i ARCHIVE, save -o FILE [--format docker-archive|oci-archive] IMAGE..., import TARBALL [NAME]
  volume create|ls|rm [-f]|inspect|prune [NAME...]   named volumes (-v NAME:/path makes one on first use)
  system prune [--volumes]                 remove stopped containers, unused layer copies (and unused volumes)
  run -d [--name N] [--restart no|on-failure[:N]|always] ...   run detached under a monitor; prints the id
  create [run flags] --rootfs DIR -- CMD   record a container; start NAME... runs it detached
  ps [-a] [-q] [--filter name=|status=|id=] [--format table|json]
  logs [-f] [--tail N] [--since T] [-t] NAME      stop [-t SECONDS] NAME...      kill [-s SIGNAL] NAME...
  attach NAME                              this terminal on a running container (input needs -t)
  exec [-i] [-t] [-u USER] [-e K=V] [-w DIR] NAME CMD...   a process in a running container (same namespaces, ID map, cgroup)
  restart, wait, rm [-f], inspect, rename OLD NEW, prune, pause, unpause, stats [--no-stream], cp SRC DST (one as NAME:PATH), top NAME [user huser pid hpid ppid ...]

run: isola run [flags] IMAGE [COMMAND...] (--pull=missing|always|never --tls-verify=false --entrypoint CMD)
run flags: --rm --uidmap C:H:N --gidmap C:H:N --userns auto[:size=N]|host|keep-id|remap:USER --hostname NAME
  --layer DIR (repeatable, bottom first) --rootfs-copy -v HOST|NAME:CTR[:ro,U,idmap[=uids=D-H-N;gids=D-H-N]] -u USER[:GROUP] -e K=V --env-file F -w DIR --tmpfs DIR[:opts] --read-only
  --cap-add CAP --cap-drop CAP --ulimit NAME=SOFT[:HARD] --pids-limit N --memory SIZE --cpus N
  --privileged -i -t --network none|host|private --security-opt seccomp=unconfined|PROFILE.json|no-new-privileges --sysctl K=V

configuration: /etc/isola/isola.toml, and for an ordinary user $XDG_CONFIG_HOME/isola/isola.toml`;

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
    const load = name === undefined ? undefined : COMMANDS[name];
    if (load === undefined || global.flags.has('help')) {
      process.stdout.write(`${USAGE}\n`);
      return name === undefined || global.flags.has('help') ? 0 : 125;
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
      },
    };
    return await (await load())(rest, context);
  } catch (error) {
    return printError(error);
  }
}
