/**
 * Unpacks an image archive (docker-archive or oci-archive, a tar of JSON files
 * and blobs) into a fresh directory. Only regular files and directories are
 * taken, under normalised relative names: an archive cannot place anything
 * outside the directory (no `..`, no absolute paths, no links followed).
 */
import { mkdir, open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ImageError } from '../errors.ts';
import { readTarEntries } from '../tar/tar-reader.ts';
import { openDecompressed } from '../tar/decompress.ts';
import { TarError } from '../tar/tar-error.ts';

function safeName(archive: string, path: string): string | undefined {
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.length === 0) return undefined;
  if (path.startsWith('/') || parts.includes('..')) {
    throw new ImageError('ISOLA_IMAGE_ARCHIVE_INVALID', `the archive ${archive} has an entry outside itself: ${JSON.stringify(path)}`, archive,
      { hint: 'the archive is corrupt or hostile; make it again with isola save, podman save or docker save' });
  }
  return parts.join('/');
}

/** `label`: the archive's name in messages. @default path */
export async function extractArchive(path: string, target: string, archive = path): Promise<void> {
  let source: AsyncIterable<Uint8Array>;
  try {
    source = (await openDecompressed(path)).stream;
  } catch (error) {
    throw new ImageError('ISOLA_IMAGE_ARCHIVE_INVALID', `cannot read the archive ${archive}: ${(error as Error).message}`, archive, { cause: error });
  }
  try {
    await extractEntries(archive, source, target);
  } catch (error) {
    if (!(error instanceof TarError)) throw error;
    throw new ImageError('ISOLA_IMAGE_ARCHIVE_INVALID', `the archive ${archive} is not a valid tar: ${error.message}`, archive,
      { cause: error, hint: error.hint ?? 'make it again with isola save, podman save or docker save' });
  }
}

async function extractEntries(archive: string, source: AsyncIterable<Uint8Array>, target: string): Promise<void> {
  for await (const { entry, body } of readTarEntries(source)) {
    const name = safeName(archive, entry.path);
    if (name === undefined) continue;
    if (entry.type === 'directory') {
      await mkdir(join(target, name), { recursive: true });
      continue;
    }
    if (entry.type !== 'file' || entry.sparse !== undefined) continue;
    await mkdir(dirname(join(target, name)), { recursive: true });
    // 'wx': a name repeated in the archive is refused rather than overwritten.
    const file = await open(join(target, name), 'wx');
    try {
      for await (const chunk of body) await file.write(chunk);
    } finally {
      await file.close();
    }
  }
}
