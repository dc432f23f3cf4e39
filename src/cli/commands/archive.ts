/**
 * `isola load [-i ARCHIVE]` (stdin without -i), `isola save -o FILE [--format
 * docker-archive|oci-archive] IMAGE...` and `isola import [-c|--change LINE]...
 * [-m|--message TEXT] TARBALL|- [NAME]`: images to and from files.
 */
import { resolve } from 'node:path';
import { InvalidOptionError } from '../../errors/index.ts';
import { Engine } from '../../engine/index.ts';
import { flagValue, flagValues, parseArgs, type FlagSpec } from '../parse-args.ts';
import type { CliContext } from '../context.ts';

/** stdin as a tarball source; a terminal is refused, as docker and podman do, rather than waiting on it. */
async function stdinSource(command: string, expected: string, hint: string): Promise<{ stream: AsyncIterable<Uint8Array>; label: string }> {
  const { isatty } = await import('node:tty');
  if (isatty(0)) throw new InvalidOptionError(`isola ${command}`, expected, 'a terminal on stdin', { hint });
  return { stream: process.stdin, label: 'stdin' };
}

export async function loadCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const args = parseArgs(argv, [
    { name: 'input', short: 'i', takesValue: true, valueName: 'FILE', description: 'the archive to read' },
    { name: 'quiet', short: 'q', takesValue: false, description: 'accepted for podman\'s sake' },
  ]);
  const input = flagValue(args, 'input') ?? args.positionals[0];
  const source = input === undefined
    ? await stdinSource('load', 'an archive (-i FILE, or on stdin)', 'isola load -i image.tar, or isola load < image.tar')
    : resolve(context.cwd, input);
  const engine = await Engine.open(context.engineOptions);
  try {
    const images = await (await engine.images()).load(source);
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

const IMPORT_FLAGS: readonly FlagSpec[] = [
  { name: 'change', short: 'c', takesValue: true, isRepeatable: true, valueName: 'INSTRUCTION', description: 'a Dockerfile instruction for the config: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR' },
  { name: 'message', short: 'm', takesValue: true, valueName: 'TEXT', description: 'the history comment' },
  { name: 'quiet', short: 'q', takesValue: false, description: 'print only the image id' },
];

export async function importCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const args = parseArgs(argv, IMPORT_FLAGS);
  const [tarball, name, ...extra] = args.positionals;
  if (tarball === undefined || extra.length > 0) {
    throw new InvalidOptionError('isola import', 'a rootfs tarball (or - for stdin) and optionally a name', args.positionals.join(' '));
  }
  const hint = 'isola import rootfs.tar NAME, or isola import - NAME < rootfs.tar';
  const source = tarball === '-' ? await stdinSource('import', 'a tarball on stdin', hint) : resolve(context.cwd, tarball);
  const engine = await Engine.open(context.engineOptions);
  try {
    const image = await (await engine.images()).import(source, name, { changes: flagValues(args, 'change'), message: flagValue(args, 'message') });
    process.stdout.write(`${image.id}\n`);
    return 0;
  } finally {
    await engine.close();
  }
}
