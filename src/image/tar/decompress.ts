/**
 * Layer blobs are tar, tar+gzip or tar+zstd; the media type may lie (docker
 * archives say "tar" for gzip), so the first bytes decide.
 */
import { open } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { TarError } from './tar-error.ts';

export type Compression = 'gzip' | 'zstd' | 'none';

export function detectCompression(head: Buffer): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  if (head.length >= 3 && head.toString('latin1', 0, 3) === 'BZh') {
    throw new TarError('ISOLA_TAR_UNSUPPORTED', 'bzip2-compressed layers are not supported', { hint: 'recompress the layer with gzip or zstd' });
  }
  if (head.length >= 6 && head.toString('latin1', 0, 6) === '\xfd7zXZ\0') {
    throw new TarError('ISOLA_TAR_UNSUPPORTED', 'xz-compressed layers are not supported', { hint: 'recompress the layer with gzip or zstd' });
  }
  return 'none';
}

/** Opens `path` and returns its uncompressed byte stream and the compression found. */
export async function openDecompressed(path: string, options: { readonly signal?: AbortSignal | undefined } = {}): Promise<{ stream: Readable; compression: Compression }> {
  const handle = await open(path, 'r');
  const head = Buffer.alloc(8);
  let bytesRead: number;
  try {
    ({ bytesRead } = await handle.read(head, 0, head.length, 0));
  } finally {
    await handle.close();
  }
  const compression = detectCompression(head.subarray(0, Math.max(bytesRead, 4)));
  const file = createReadStream(path, { highWaterMark: 1 << 20, signal: options.signal });
  if (compression === 'none') return { stream: file, compression };
  // node:zlib loads here, not with the image code: running a stored image decompresses nothing.
  const zlib = process.getBuiltinModule('node:zlib');
  const inflate = compression === 'gzip' ? zlib.createGunzip({ chunkSize: 1 << 18 }) : zlib.createZstdDecompress({ chunkSize: 1 << 18 });
  file.on('error', (err) => inflate.destroy(err));
  return { stream: file.pipe(inflate), compression };
}
