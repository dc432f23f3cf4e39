/**
 * The content-addressed blob store, `<root>/images/blobs/sha256/<hex>`: manifests,
 * configs and compressed layers, each named by the sha256 of its bytes. A blob
 * reaches its name only by rename after its digest and size were checked, so a
 * name always holds exactly those bytes. Downloads grow in `partial/` and stay
 * there when interrupted, to be resumed; a digest mismatch deletes them.
 * One process writes a given blob at a time (a lock file holding its pid);
 * another waits for it, or takes over a lock whose holder died.
 */
import { mkdir, open, readFile, rename, rm, stat, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isIsolaError } from '../errors/index.ts';
import { ImageError } from './errors.ts';
import { digestHex, digestOf, newDigester, type Digest } from './digest.ts';

/** Where a download continues from; `offset` bytes are already in the partial file. */
export type BlobSource = (offset: number) => Promise<{ readonly offset: number; readonly body: AsyncIterable<Uint8Array> }>;

export interface IngestOptions {
  /** Expected size in bytes, from the descriptor. */
  readonly size: number;
  /** Called with the bytes stored so far (including a resumed prefix). */
  readonly onBytes?: ((bytes: number) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Named in errors: the image or layer being fetched. */
  readonly subject: string;
}

const LOCK_POLL_MS = 100;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function mismatch(digest: Digest, got: string, subject: string, why: string): ImageError {
  return new ImageError('ISOLA_IMAGE_DIGEST_MISMATCH', `the blob ${digest} of ${subject} ${why} (got ${got}); nothing was stored`, digest,
    { hint: 'the registry or the network corrupted the data: retry, and report it to the registry owner if it persists' });
}

export class BlobStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  path(digest: Digest): string {
    return join(this.dir, 'sha256', digestHex(digest));
  }

  #partialPath(digest: Digest): string {
    return join(this.dir, 'partial', `sha256-${digestHex(digest)}`);
  }

  async has(digest: Digest): Promise<boolean> {
    try {
      await stat(this.path(digest));
      return true;
    } catch {
      return false;
    }
  }

  async size(digest: Digest): Promise<number> {
    return (await stat(this.path(digest))).size;
  }

  async read(digest: Digest): Promise<Buffer> {
    return readFile(this.path(digest));
  }

  /** Stores bytes already in memory (manifests, configs) after checking their digest. */
  async putBytes(digest: Digest, bytes: Uint8Array, subject: string): Promise<void> {
    const got = digestOf(bytes);
    if (got !== digest) throw mismatch(digest, got, subject, 'does not match its content');
    if (await this.has(digest)) return;
    await mkdir(join(this.dir, 'sha256'), { recursive: true });
    const temp = `${this.path(digest)}.${process.pid}.tmp`;
    await writeFile(temp, bytes);
    await rename(temp, this.path(digest));
  }

  /** Stores bytes and returns their digest. */
  async putContent(bytes: Uint8Array, subject: string): Promise<Digest> {
    const digest = digestOf(bytes);
    await this.putBytes(digest, bytes, subject);
    return digest;
  }

  /**
   * Downloads a blob unless it is stored already. The bytes are hashed as they
   * arrive; only a blob of the right size and digest is renamed into place.
   * @throws ImageError ISOLA_IMAGE_DIGEST_MISMATCH (the partial file is deleted)
   * @returns false when the blob was already stored (nothing was fetched)
   */
  async ingest(digest: Digest, source: BlobSource, options: IngestOptions): Promise<boolean> {
    if (await this.has(digest)) return false;
    await mkdir(join(this.dir, 'sha256'), { recursive: true });
    await mkdir(join(this.dir, 'partial'), { recursive: true });
    const release = await this.#lock(digest, options.signal);
    try {
      // Another process may have finished it while this one waited for the lock.
      if (await this.has(digest)) return false;
      await this.#download(digest, source, options);
      return true;
    } finally {
      await release();
    }
  }

  async #download(digest: Digest, source: BlobSource, options: IngestOptions): Promise<void> {
    const partial = this.#partialPath(digest);
    let hash = newDigester();
    let offset = await this.#hashPartial(partial, hash, options.size);
    const { offset: start, body } = await source(offset);
    if (start !== offset) {
      // The server ignored the Range request: start over.
      hash = newDigester();
      offset = 0;
    }
    const file = await open(partial, offset === 0 ? 'w' : 'a');
    try {
      offset = await this.#append(file, body, hash, offset, digest, options);
      await file.datasync();
    } catch (error) {
      if (isIsolaError(error) || options.signal?.aborted === true) throw error;
      // The connection broke: what arrived stays in the partial file for the next attempt.
      throw new ImageError('ISOLA_IMAGE_DOWNLOAD_INCOMPLETE', `the download of ${digest} for ${options.subject} broke off: ${(error as Error).message}`,
        digest, { cause: error, hint: 'run the command again: it resumes where this one stopped' });
    } finally {
      await file.close();
    }
    await this.#finish(digest, partial, hash.digest('hex'), offset, options);
  }

  async #append(file: FileHandle, body: AsyncIterable<Uint8Array>, hash: ReturnType<typeof newDigester>, start: number,
    digest: Digest, options: IngestOptions): Promise<number> {
    let offset = start;
    for await (const chunk of body) {
      options.signal?.throwIfAborted();
      offset += chunk.byteLength;
      if (offset > options.size) {
        await rm(this.#partialPath(digest), { force: true });
        throw mismatch(digest, `more than ${options.size} bytes`, options.subject, `is larger than its descriptor says`);
      }
      hash.update(chunk);
      await file.write(chunk);
      options.onBytes?.(offset);
    }
    return offset;
  }

  async #finish(digest: Digest, partial: string, hex: string, size: number, options: IngestOptions): Promise<void> {
    if (size < options.size) {
      // Kept: the next attempt resumes from here, and the digest check still covers every byte.
      throw new ImageError('ISOLA_IMAGE_DOWNLOAD_INCOMPLETE', `the download of ${digest} for ${options.subject} ended after ${size} of ${options.size} bytes`,
        digest, { hint: 'run the command again: it resumes where this one stopped' });
    }
    if (`sha256:${hex}` !== digest) {
      await rm(partial, { force: true });
      throw mismatch(digest, `sha256:${hex}`, options.subject, 'does not match its digest');
    }
    await rename(partial, this.path(digest));
  }

  /** Feeds an interrupted download's bytes to `hash`; returns how many there are (0: start fresh). */
  async #hashPartial(partial: string, hash: ReturnType<typeof newDigester>, size: number): Promise<number> {
    let length: number;
    try {
      length = (await stat(partial)).size;
    } catch {
      return 0;
    }
    if (length === 0 || length >= size) return 0;
    for await (const chunk of createReadStream(partial)) hash.update(chunk as Buffer);
    return length;
  }

  async #lock(digest: Digest, signal: AbortSignal | undefined): Promise<() => Promise<void>> {
    const lockPath = `${this.#partialPath(digest)}.lock`;
    for (;;) {
      signal?.throwIfAborted();
      try {
        const file = await open(lockPath, 'wx');
        await file.writeFile(String(process.pid));
        await file.close();
        return async () => unlink(lockPath).catch(() => {});
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = Number(await readFile(lockPath, 'utf8').catch(() => ''));
      // An empty file is a holder between open and write: wait for it like a live one.
      if (holder > 0 && !isAlive(holder)) await unlink(lockPath).catch(() => {});
      else await sleep(LOCK_POLL_MS);
      if (await this.has(digest)) return async () => {};
    }
  }

  /**
   * Moves a file (on the store's filesystem) into the store under its digest,
   * checked against `expected` when given. The file is gone afterwards.
   * @throws ImageError ISOLA_IMAGE_DIGEST_MISMATCH
   */
  async putFile(path: string, subject: string, expected?: Digest): Promise<{ digest: Digest; size: number }> {
    const hash = newDigester();
    let size = 0;
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).byteLength;
    }
    const digest: Digest = `sha256:${hash.digest('hex')}`;
    if (expected !== undefined && digest !== expected) {
      await rm(path, { force: true });
      throw mismatch(expected, digest, subject, 'does not match its digest');
    }
    await mkdir(join(this.dir, 'sha256'), { recursive: true });
    if (await this.has(digest)) await rm(path, { force: true });
    else await rename(path, this.path(digest));
    return { digest, size };
  }

  /** Deletes a stored blob (after the image store said nothing uses it). */
  async remove(digest: Digest): Promise<void> {
    await rm(this.path(digest), { force: true });
  }
}
