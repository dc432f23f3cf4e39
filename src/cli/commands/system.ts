/**
 * `isola system prune [-f] [--volumes]`: podman's clean-up of what nothing
 * uses: stopped containers, the chowned layer copies no container uses (and
 * what killed isola processes left), and with --volumes the volumes no
 * container uses. Like isola's `prune`, it does not ask first.
 */
import { InvalidOptionError } from '../../errors/index.ts';
import { Engine } from '../../engine/index.ts';
import { HelpRequest, isHelpToken, parseArgs, type FlagSpec } from '../parse-args.ts';
import type { CliContext } from '../context.ts';

const FLAGS: readonly FlagSpec[] = [
  { name: 'force', short: 'f', takesValue: false, description: 'accepted for podman\'s scripts: isola prunes without asking' },
  { name: 'volumes', takesValue: false, description: 'also remove the volumes no container uses' },
];

function section(title: string, lines: readonly string[]): string {
  return lines.length === 0 ? '' : `${title}\n${lines.map((l) => `${l}\n`).join('')}`;
}

export async function systemCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const [subcommand, ...rest] = argv;
  if (isHelpToken(subcommand)) throw new HelpRequest(FLAGS);
  if (subcommand !== 'prune') {
    throw new InvalidOptionError('isola system', 'a subcommand: prune', subcommand ?? '', { hint: 'isola system prune [--volumes]' });
  }
  const args = parseArgs(rest, FLAGS);
  if (args.positionals.length > 0) throw new InvalidOptionError('isola system prune', 'no arguments', args.positionals.join(' '));
  const engine = await Engine.open(context.engineOptions);
  try {
    const report = await engine.systemPrune({ volumes: args.flags.has('volumes') });
    process.stdout.write(section('Deleted Containers', report.containers) + section('Deleted Volumes', report.volumes)
      + `Deleted layer copies: ${report.layerCopies}\n`);
    return 0;
  } finally {
    await engine.close();
  }
}
