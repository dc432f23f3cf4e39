/**
 * `isola load -i ARCHIVE`, `isola save -o FILE [--format docker-archive|oci-archive] IMAGE...`
 * and `isola import TARBALL [NAME]`: images to and from files.
 */
import { resolve } from 'node:path';
import { InvalidOptionError } from '../../errors/index.ts';
import { Engine } from '../../engine/index.ts';
import { flagValue, parseArgs } from '../parse-args.ts';
import type { CliContext } from '../context.ts';

export async function loadCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const args = parseArgs(argv, [
    { name: 'input', short: 'i', takesValue: true, valueName: 'FILE', description: 'the archive to read' },
    { name: 'quiet', short: 'q', takesValue: false, description: 'accepted for podman\'s sake' },
  ]);
  const input = flagValue(args, 'input') ?? args.positionals[0];
  if (input === undefined) throw new InvalidOptionError('isola load', 'an archive (-i FILE)', 'nothing', { hint: 'isola load -i image.tar' });
  const engine = await Engine.open(context.engineOptions);
  try {
    const images = await (await engine.images()).load(resolve(context.cwd, input));
    for (const image of images) process.stdout.write(`Loaded image: ${image.names.join(', ') || image.id}\n`);
    return 0;
  } finally {
    await engine.close();
  }
}

export async function saveCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const args = parseArgs(argv, [
    { name: 'output', short: 'o', takesValue: true, valueName: 'FILE', description: 'the archive to write' },
    { name: 'format', takesValue: true, valueName: 'docker-archive|oci-archive', description: 'archive format (default docker-archive)' },
  ]);
  const output = flagValue(args, 'output');
  const format = flagValue(args, 'format') ?? 'docker-archive';
  if (output === undefined) throw new InvalidOptionError('isola save', 'an output file (-o FILE)', 'nothing', { hint: 'isola save -o image.tar IMAGE' });
  if (format !== 'docker-archive' && format !== 'oci-archive') throw new InvalidOptionError('--format', 'docker-archive or oci-archive', format);
  if (args.positionals.length === 0) throw new InvalidOptionError('isola save', 'one or more images', 'nothing');
  const engine = await Engine.open(context.engineOptions);
  try {
    await (await engine.images()).save(args.positionals, resolve(context.cwd, output), format);
    return 0;
  } finally {
    await engine.close();
  }
}

export async function importCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const [tarball, name, ...extra] = parseArgs(argv, []).positionals;
  if (tarball === undefined || extra.length > 0) throw new InvalidOptionError('isola import', 'a rootfs tarball and optionally a name', argv.join(' '));
  const engine = await Engine.open(context.engineOptions);
  try {
    const image = await (await engine.images()).import(resolve(context.cwd, tarball), name);
    process.stdout.write(`${image.id}\n`);
    return 0;
  } finally {
    await engine.close();
  }
}
