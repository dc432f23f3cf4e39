/**
 * `isola images` / `isola image ls [--format table|json]`: the stored images,
 * one row per name (dangling images as <none>), as podman prints them; JSON
 * uses podman's field names (Id, Names, Digest, Size, Created, ...).
 */
import { InvalidOptionError } from '../../errors/index.ts';
import { Engine, type ImageDetails, type ImageRecord, type ImageService } from '../../engine/index.ts';
import { flagValue, parseArgs, type FlagSpec } from '../parse-args.ts';
import { formatBytes } from '../progress.ts';
import { formatTable } from '../table.ts';
import type { CliContext } from '../context.ts';

// -a (podman: with intermediate images) changes nothing: isola stores no intermediate images.
const LS_FLAGS: readonly FlagSpec[] = [
  { name: 'format', takesValue: true, valueName: 'table|json', description: 'output format (default table)' },
  { name: 'quiet', short: 'q', takesValue: false, description: 'print only the ids' },
  { name: 'all', short: 'a', takesValue: false, description: 'accepted for podman\'s sake (isola keeps no intermediate images)' },
];


/** `registry/repo:tag` -> [`registry/repo`, `tag`]. */
function splitName(name: string): [string, string] {
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  return colon > slash ? [name.slice(0, colon), name.slice(colon + 1)] : [name, '<none>'];
}

function createdSeconds(image: ImageRecord): number {
  const ms = image.created === undefined ? Number.NaN : Date.parse(image.created);
  return Math.floor((Number.isNaN(ms) ? image.storedMs : ms) / 1000);
}

function describeAge(seconds: number, nowMs: number): string {
  const age = Math.max(0, nowMs / 1000 - seconds);
  const units: [number, string][] = [[31_536_000, 'year'], [2_592_000, 'month'], [604_800, 'week'], [86_400, 'day'], [3600, 'hour'], [60, 'minute']];
  for (const [size, name] of units) {
    const n = Math.floor(age / size);
    if (n >= 1) return `${n} ${name}${n > 1 ? 's' : ''} ago`;
  }
  return 'less than a minute ago';
}

export function formatImages(images: readonly ImageRecord[], nowMs: number): string {
  const header = ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'];
  const rows = images.flatMap((image) => (image.names.length === 0 ? ['<none>:<none>'] : image.names).map((name) => {
    const [repository, tag] = name === '<none>:<none>' ? ['<none>', '<none>'] : splitName(name);
    return [repository, tag, image.id.slice(0, 12), describeAge(createdSeconds(image), nowMs), formatBytes(image.size)];
  }));
  return `${formatTable([header, ...rows], 2)}\n`;
}

function repoDigests(image: ImageRecord): string[] {
  return [...new Set(image.names.map((name) => `${splitName(name)[0]}@${image.manifestDigest}`))];
}

export function imageJson(details: ImageDetails): Record<string, unknown> {
  const { image, config } = details;
  const created = createdSeconds(image);
  return {
    Id: image.id, ParentId: '', RepoTags: image.names, RepoDigests: repoDigests(image), Size: image.size, SharedSize: 0, VirtualSize: image.size,
    Labels: config.config?.Labels ?? null, Containers: 0, Names: image.names, Digest: image.manifestDigest,
    Created: created, CreatedAt: new Date(created * 1000).toISOString(),
  };
}

async function allDetails(images: ImageService, list: readonly ImageRecord[]): Promise<ImageDetails[]> {
  return Promise.all(list.map((image) => images.details(image)));
}

export async function imagesCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const args = parseArgs(argv, LS_FLAGS);
  if (args.positionals.length > 0) throw new InvalidOptionError('isola images', 'no arguments', args.positionals.join(' '));
  const format = flagValue(args, 'format') ?? 'table';
  if (format !== 'table' && format !== 'json') throw new InvalidOptionError('--format', 'table or json', format);
  const engine = await Engine.open(context.engineOptions);
  try {
    const images = await engine.images();
    const list = await images.list();
    if (args.flags.has('quiet')) process.stdout.write(list.map((image) => `${image.id.slice(0, 12)}\n`).join(''));
    else if (format === 'json') process.stdout.write(`${JSON.stringify((await allDetails(images, list)).map(imageJson), null, 2)}\n`);
    else process.stdout.write(formatImages(list, Date.now()));
    return 0;
  } finally {
    await engine.close();
  }
}
