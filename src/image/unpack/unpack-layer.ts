/**
 * unpackLayer: one layer blob into a new directory, in overlayfs format
 * (whiteouts as 0:0 character devices, opaque directories as an xattr), with
 * the tar's own ids (the shift to a container's range happens at mount time).
 * Nothing outside `target` is created or changed: see layer-tree.ts for how
 * paths are resolved, layer-writer.ts for how files are created.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { InvalidOptionError, isIsolaError } from '../../errors/index.ts';
import { isInitialUserNamespace, locateShim } from '../../runtime/index.ts';
import { newDigester } from '../digest.ts';
import { openDecompressed } from '../tar/decompress.ts';
import { TarError } from '../tar/tar-error.ts';
import { TarParser } from '../tar/tar-parser.ts';
import { finishLayer } from './layer-finish.ts';
import { LayerError } from './layer-error.ts';
import { LayerWriter } from './layer-writer.ts';

export interface LayerUnpackOptions {
  /** Layer blob path: tar, tar+gzip or tar+zstd (detected from its first bytes). */
  readonly blob: string;
  /** Directory to create; its parent must exist and it must not. On any failure it is removed. */
  readonly target: string;
  /** 'overlay': opaque dirs get trusted.overlay.opaque (real root). 'overlay-userxattr': user.overlay.opaque (in a user namespace). */
  readonly whiteouts: 'overlay' | 'overlay-userxattr';
  /** Most bytes the layer's files may hold, sparse holes included. @default Number.MAX_SAFE_INTEGER */
  readonly maxSizeBytes?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface UnpackedLayer {
  /** sha256:<hex> of the uncompressed tar. */
  readonly diffId: string;
  /** Bytes of the uncompressed tar. */
  readonly size: number;
  /** Entries created (files, directories, links, nodes; not whiteouts). */
  readonly fileCount: number;
  readonly maxUid: number;
  readonly maxGid: number;
  /** Device nodes not created because mknod is not allowed here (user namespace, no CAP_MKNOD). */
  readonly skippedDevices: number;
  /** Xattrs not written: overlay and LSM ones by policy, others the kernel refused. */
  readonly skippedXattrs: number;
}

const CAP_MKNOD = 27n;

interface ProcessFacts {
  /** Root of the initial user namespace with CAP_MKNOD (devices, trusted.* xattrs). */
  readonly isRealRoot: boolean;
  readonly umask: number;
}

async function readProcessFacts(): Promise<ProcessFacts> {
  const [isInitial, status] = await Promise.all([isInitialUserNamespace(), readFile('/proc/self/status', 'utf8')]);
  const capEff = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  const umask = /^Umask:\s*([0-7]+)$/m.exec(status)?.[1];
  return {
    isRealRoot: isInitial && capEff !== undefined && ((BigInt(`0x${capEff}`) >> CAP_MKNOD) & 1n) === 1n,
    // Unknown (no Umask line before Linux 4.7): assume the worst, every mode gets its chmod.
    umask: umask === undefined ? 0o777 : parseInt(umask, 8),
  };
}

function normalizeOptions(options: LayerUnpackOptions): Required<Omit<LayerUnpackOptions, 'signal'>> & { signal: AbortSignal | undefined } {
  if (typeof options.blob !== 'string' || options.blob === '') throw new InvalidOptionError('blob', 'a layer blob path', options.blob);
  if (typeof options.target !== 'string' || options.target === '') throw new InvalidOptionError('target', 'a directory path', options.target);
  if (options.whiteouts !== 'overlay' && options.whiteouts !== 'overlay-userxattr') {
    throw new InvalidOptionError('whiteouts', "'overlay' or 'overlay-userxattr'", options.whiteouts);
  }
  const maxSizeBytes = options.maxSizeBytes ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isSafeInteger(maxSizeBytes) || maxSizeBytes < 0) throw new InvalidOptionError('maxSizeBytes', 'a non-negative integer', maxSizeBytes);
  return { blob: options.blob, target: isAbsolute(options.target) ? options.target : resolve(options.target),
    whiteouts: options.whiteouts, maxSizeBytes, signal: options.signal };
}

function toLayerError(err: unknown, blob: string, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted === true) return new LayerError('ISOLA_LAYER_ABORTED', blob, 'unpacking was aborted', { cause: err });
  if (err instanceof TarError) {
    return new LayerError(err.code === 'ISOLA_TAR_UNSUPPORTED' ? 'ISOLA_LAYER_TAR_UNSUPPORTED' : 'ISOLA_LAYER_TAR_INVALID', blob, err.message, { cause: err, hint: err.hint });
  }
  if (isIsolaError(err)) return err;
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (code.startsWith('Z_') || code.startsWith('ERR_ZSTD') || code === 'ERR__ZLIB_INITIALIZATION_FAILED') {
    return new LayerError('ISOLA_LAYER_DECOMPRESS_FAILED', blob, `cannot decompress: ${(err as Error).message}`, { cause: err, hint: 'the blob is corrupt or truncated: pull it again' });
  }
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
    return new LayerError('ISOLA_LAYER_BLOB_UNREADABLE', blob, `cannot read the blob: ${(err as Error).message}`, { cause: err });
  }
  return new LayerError('ISOLA_LAYER_WRITE_FAILED', blob, (err as Error).message, { cause: err });
}

/**
 * Unpacks one layer blob into a new directory `target`.
 * Throws LayerError (ISOLA_LAYER_*) and leaves nothing behind on failure.
 */
export async function unpackLayer(options: LayerUnpackOptions): Promise<UnpackedLayer> {
  const { blob, target, whiteouts, maxSizeBytes, signal } = normalizeOptions(options);
  if (signal?.aborted === true) throw new LayerError('ISOLA_LAYER_ABORTED', blob, 'unpacking was aborted before it started');
  const [shimPath, { isRealRoot: realRoot, umask }] = await Promise.all([locateShim(), readProcessFacts()]);
  // 0700 until the end: nobody else may enter while the tree is half made.
  await mkdir(target, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EEXIST') throw new LayerError('ISOLA_LAYER_TARGET_EXISTS', blob, `the target ${target} already exists`, { hint: 'unpack into a new directory' });
    throw new LayerError('ISOLA_LAYER_WRITE_FAILED', blob, `cannot create ${target}: ${err.message}`, { cause: err });
  });
  const uid = process.geteuid?.() ?? 0;
  const gid = process.getegid?.() ?? 0;
  const writer = new LayerWriter({ blob, target, canMakeDevices: realRoot, maxSizeBytes, uid, gid, umask });
  try {
    const hash = newDigester();
    let size = 0;
    const parser = new TarParser(writer);
    const { stream } = await openDecompressed(blob, { signal });
    // The whole stream is hashed, end-of-archive padding included: the diff id covers every byte.
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
      if (!parser.isDone) parser.push(chunk);
    }
    parser.end();
    signal?.throwIfAborted();
    const finished = await finishLayer(writer, { blob, target, shimPath, whiteouts, isRealRoot: realRoot, uid, gid });
    return {
      diffId: `sha256:${hash.digest('hex')}`, size, fileCount: writer.stats.fileCount, maxUid: writer.stats.maxUid,
      maxGid: writer.stats.maxGid, skippedDevices: writer.stats.skippedDevices, skippedXattrs: finished.skippedXattrs,
    };
  } catch (err) {
    writer.close();
    await rm(target, { recursive: true, force: true });
    throw toLayerError(err, blob, signal);
  }
}
