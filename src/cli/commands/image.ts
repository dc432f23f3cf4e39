/** `isola image SUBCOMMAND`: ls, inspect, rm, tag, push, pull under one name, as podman. */
import { InvalidOptionError } from '../../errors/index.ts';
import { HelpRequest, isHelpToken } from '../parse-args.ts';
import type { CliContext } from '../context.ts';

type Subcommand = (argv: readonly string[], context: CliContext) => Promise<number>;

export const SUBCOMMANDS: Readonly<Record<string, () => Promise<Subcommand>>> = {
  ls: async () => (await import('./images.ts')).imagesCommand,
  list: async () => (await import('./images.ts')).imagesCommand,
  inspect: async () => (await import('./image-inspect.ts')).imageInspectCommand,
  rm: async () => (await import('./rmi.ts')).rmiCommand,
  tag: async () => (await import('./tag.ts')).tagCommand,
  push: async () => (await import('./push.ts')).pushCommand,
  pull: async () => (await import('./pull.ts')).pullCommand,
  load: async () => (await import('./archive.ts')).loadCommand,
  save: async () => (await import('./archive.ts')).saveCommand,
  import: async () => (await import('./archive.ts')).importCommand,
};

export async function imageCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const [name, ...rest] = argv;
  if (isHelpToken(name)) throw new HelpRequest([]);
  const load = name === undefined ? undefined : SUBCOMMANDS[name];
  if (load === undefined) {
    throw new InvalidOptionError('isola image', `a subcommand: ${Object.keys(SUBCOMMANDS).join(', ')}`, name ?? '');
  }
  return (await load())(rest, context).catch((error: unknown) => {
    throw error instanceof HelpRequest ? new HelpRequest(error.flags, error.subcommand ?? name) : error;
  });
}
