/**
 * `isola volume create|ls|rm [-f]|inspect|prune`: named volumes under
 * <root>/volumes. As podman: rm refuses a volume a container uses, -f
 * removes those containers first; prune removes only unused volumes.
 */
import { InvalidOptionError } from '../../errors/index.ts';
import { Engine, type VolumeInfo } from '../../engine/index.ts';
import { flagValue, HelpRequest, isHelpToken, parseArgs, type FlagSpec } from '../parse-args.ts';
import type { CliContext } from '../context.ts';

const FLAGS: readonly FlagSpec[] = [
  { name: 'format', takesValue: true, valueName: 'table|json', description: 'output format of ls (default table)' },
  { name: 'quiet', short: 'q', takesValue: false, description: 'accepted for podman\'s sake' },
  { name: 'force', short: 'f', takesValue: false, description: 'rm: remove the containers that use the volume first' },
];

/** podman's field names. */
function toJson(info: VolumeInfo): Record<string, string> {
  return { Name: info.name, Driver: 'local', Mountpoint: info.mountpoint, CreatedAt: info.createdAt };
}

function formatTable(volumes: readonly VolumeInfo[]): string {
  const width = Math.max(4, ...volumes.map((v) => v.name.length));
  return [`${'NAME'.padEnd(width)}   MOUNTPOINT`, ...volumes.map((v) => `${v.name.padEnd(width)}   ${v.mountpoint}`)].join('\n') + '\n';
}

export async function volumeCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const [subcommand, ...rest] = argv;
  // Every subcommand takes the same flags.
  if (isHelpToken(subcommand)) throw new HelpRequest(FLAGS);
  const args = parseArgs(rest, FLAGS);
  const names = args.positionals;
  const format = flagValue(args, 'format') ?? 'table';
  if (format !== 'table' && format !== 'json') throw new InvalidOptionError('--format', 'table or json', format);
  const needsNames = subcommand === 'create' || subcommand === 'rm' || subcommand === 'remove' || subcommand === 'inspect';
  if (needsNames && names.length === 0) throw new InvalidOptionError(`isola volume ${subcommand}`, 'at least one volume name', '');
  const engine = await Engine.open(context.engineOptions);
  try {
    if (subcommand === 'create') {
      for (const name of names) process.stdout.write(`${(await engine.createVolume(name)).name}\n`);
    } else if (subcommand === 'ls' || subcommand === 'list') {
      const volumes = await engine.listVolumes();
      process.stdout.write(format === 'json' ? `${JSON.stringify(volumes.map(toJson), null, 2)}\n` : formatTable(volumes));
    } else if (subcommand === 'inspect') {
      const infos = [];
      for (const name of names) infos.push(toJson(await engine.inspectVolume(name)));
      process.stdout.write(`${JSON.stringify(infos, null, 2)}\n`);
    } else if (subcommand === 'rm' || subcommand === 'remove') {
      for (const name of names) {
        await engine.removeVolume(name, { force: args.flags.has('force') });
        process.stdout.write(`${name}\n`);
      }
    } else if (subcommand === 'prune') {
      for (const name of await engine.pruneVolumes()) process.stdout.write(`${name}\n`);
    } else {
      throw new InvalidOptionError('isola volume', 'a subcommand: create, ls, rm, inspect, prune', subcommand ?? '',
        { hint: 'isola volume create NAME' });
    }
    return 0;
  } finally {
    await engine.close();
  }
}
