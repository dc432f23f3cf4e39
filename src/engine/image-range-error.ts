/**
 * When the auto range an image asks for (sized to cover its highest uid or
 * gid, see image-options.ts) cannot be allocated, the allocator's error
 * ("N ids do not fit in the pool") does not say why N is so large. This
 * names the file or user with that id and what to run instead. Finding the
 * file walks the layers: only on this failure path.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { IsolaError } from '../errors/index.ts';
import { parseGroup, parsePasswd, readFileInRoot } from '../spec/index.ts';

/** Errors of an allocation too large for the pool. */
const RANGE_CODES = new Set(['ISOLA_USERNS_SIZE_TOO_LARGE', 'ISOLA_USERNS_RANGE_EXHAUSTED']);

export class ImageRangeError extends IsolaError {
  declare readonly code: 'ISOLA_ENGINE_IMAGE_IDS_TOO_HIGH';
  /** The image's highest uid or gid. */
  readonly id: number;
  /** Where it was found: a path in the image, or `/etc/passwd` / `/etc/group`. */
  readonly owner: string | undefined;

  constructor(message: string, options: { id: number; owner: string | undefined; hint: string; cause: unknown }) {
    super('ISOLA_ENGINE_IMAGE_IDS_TOO_HIGH', message, { hint: options.hint, cause: options.cause });
    this.name = 'ImageRangeError';
    this.id = options.id;
    this.owner = options.owner;
  }
}

/** The topmost user or group entry with this id. */
async function findUserEntry(layers: readonly string[], id: number): Promise<string | undefined> {
  for (let i = layers.length - 1; i >= 0; i--) {
    const passwd = await readFileInRoot(layers[i]!, '/etc/passwd');
    if (passwd === undefined) continue;
    const user = parsePasswd(passwd).find((e) => e.uid === id || e.gid === id);
    if (user !== undefined) return `user ${user.name} in /etc/passwd`;
    const group = parseGroup(await readFileInRoot(layers[i]!, '/etc/group') ?? '').find((e) => e.gid === id);
    return group === undefined ? undefined : `group ${group.name} in /etc/group`;
  }
  return undefined;
}

/** The first file (top layer first) owned by uid or gid `id`, as a path in the image. */
async function findFileOwnedBy(layers: readonly string[], id: number): Promise<string | undefined> {
  for (let i = layers.length - 1; i >= 0; i--) {
    const stack = [''];
    while (stack.length > 0) {
      const relative = stack.pop()!;
      const names = await readdir(join(layers[i]!, relative)).catch(() => [] as string[]);
      for (const name of names) {
        const path = join(relative, name);
        const info = await lstat(join(layers[i]!, path)).catch(() => undefined);
        if (info === undefined) continue;
        if (info.uid === id || info.gid === id) return `/${path}`;
        if (info.isDirectory()) stack.push(path);
      }
    }
  }
  return undefined;
}

/**
 * `error` explained when it is the allocator refusing the range sized for
 * the image's highest id `maxId`; otherwise `error` itself.
 */
export async function explainImageRange(error: unknown, image: string, layers: readonly string[], maxId: number, size: number): Promise<unknown> {
  if (!RANGE_CODES.has((error as { code?: string }).code ?? '')) return error;
  const owner = await findUserEntry(layers, maxId) ?? await findFileOwnedBy(layers, maxId);
  const what = owner === undefined ? `id ${maxId}` : `${owner.startsWith('/') ? `${owner} owned by` : `${owner} with`} id ${maxId}`;
  return new ImageRangeError(
    `image ${image} has ${what}: the auto range covering it would need ${size} ids, more than can be allocated (${(error as Error).message})`,
    {
      id: maxId, owner, cause: error,
      hint: `give the range yourself: --userns=auto:size=65536 (ids above it show as nobody, 65534), or --uidmap/--gidmap `
        + `with a line for that id (e.g. --uidmap 0:HOST:65536 --uidmap ${maxId}:HOST2:1)`,
    },
  );
}
