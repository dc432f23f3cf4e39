/**
 * The image store under `<root>/images`: blobs (blob-store.ts), unpacked layers
 * in `layers/<diffId hex>` shared by every image that has them, and the image
 * database (names -> image -> layers). Layer directories appear and disappear
 * only inside a database transaction (a rename, then rm of the renamed tree
 * afterwards), so a row in `layers` always means a complete directory, and a
 * layer or blob is deleted only when no image refers to it any more.
 */
import { existsSync, renameSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BlobStore } from './blob-store.ts';
import { digestHex, type Digest } from './digest.ts';
import { ImageError } from './errors.ts';
import { openImageDb, type ImageDb, type Row } from './image-db.ts';

export interface LayerRecord {
  readonly diffId: Digest;
  readonly blobDigest: Digest;
  readonly blobSize: number;
  readonly mediaType: string;
}

export interface StoredLayer {
  readonly diffId: Digest;
  /** Uncompressed size in bytes. */
  readonly size: number;
  readonly fileCount: number;
  readonly maxUid: number;
  readonly maxGid: number;
}

export interface ImageRecord {
  /** The config digest's hex: podman's and docker's image id. */
  readonly id: string;
  readonly names: readonly string[];
  readonly manifestDigest: Digest;
  readonly manifestMediaType: string;
  readonly configDigest: Digest;
  /** Bytes: the unpacked layers' sizes when known, else the compressed blobs'. */
  readonly size: number;
  /** From the image config, ISO 8601. */
  readonly created: string | undefined;
  readonly storedMs: number;
  /** Bottom first. */
  readonly layers: readonly LayerRecord[];
}

export type NewImage = Omit<ImageRecord, 'id' | 'names' | 'storedMs' | 'size'> & { readonly names: readonly string[] };

export interface RemovedImage {
  readonly id: string;
  /** True when the image itself went; false when only a name was removed. */
  readonly isImageRemoved: boolean;
  readonly removedLayers: readonly Digest[];
}

/** How old an unreferenced unpacked layer must be before rmi collects it. */
const ORPHAN_AGE_MS = 60 * 60 * 1000;

export interface ImageStoreOptions {
  /**
   * Deletes a directory tree of removed layers. Rootless, layer files belong
   * to subordinate ids the caller cannot delete from outside its user namespace.
   * @default rm -r in this process
   */
  readonly removeTree?: ((path: string) => Promise<void>) | undefined;
}

export class ImageStore {
  readonly dir: string;
  readonly blobs: BlobStore;
  readonly #db: ImageDb;
  readonly #removeTree: (path: string) => Promise<void>;

  private constructor(dir: string, db: ImageDb, options: ImageStoreOptions) {
    this.dir = dir;
    this.blobs = new BlobStore(join(dir, 'blobs'));
    this.#db = db;
    this.#removeTree = options.removeTree ?? ((path) => rm(path, { recursive: true, force: true }));
  }

  /** Opens `<root>/images`. */
  static async open(dir: string, options: ImageStoreOptions = {}): Promise<ImageStore> {
    return new ImageStore(dir, await openImageDb(dir), options);
  }

  close(): void {
    this.#db.close();
  }

  layerPath(diffId: Digest): string {
    return join(this.dir, 'layers', digestHex(diffId));
  }

  /** A fresh directory on the layers' filesystem to unpack into (renamed by commitLayer). */
  async newLayerTempDir(): Promise<string> {
    await mkdir(join(this.dir, 'tmp'), { recursive: true, mode: 0o700 });
    return mkdtemp(join(this.dir, 'tmp', 'layer-'));
  }

  unpackedLayer(diffId: Digest): StoredLayer | undefined {
    const row = this.#db.get('SELECT * FROM layers WHERE diff_id = ?', diffId);
    return row === undefined ? undefined : layerFromRow(row);
  }

  /**
   * Moves an unpacked layer into place. When another process got there first
   * the temp directory is dropped and theirs is kept.
   */
  async commitLayer(tempDir: string, layer: StoredLayer): Promise<void> {
    await mkdir(join(this.dir, 'layers'), { recursive: true, mode: 0o700 });
    const isNew = this.#db.immediate(() => {
      if (this.#db.get('SELECT 1 AS x FROM layers WHERE diff_id = ?', layer.diffId) !== undefined) return false;
      // Sync inside the transaction: the directory and its row change together under the lock.
      renameSync(tempDir, this.layerPath(layer.diffId));
      this.#db.run('INSERT INTO layers (diff_id, size, file_count, max_uid, max_gid, unpacked_ms) VALUES (?, ?, ?, ?, ?, ?)',
        layer.diffId, layer.size, layer.fileCount, layer.maxUid, layer.maxGid, Date.now());
      return true;
    });
    if (!isNew) await this.#removeTree(tempDir);
  }

  /**
   * Records an image and points its names at it (moving them from other
   * images). Its blobs must be stored; its layers need not be unpacked yet.
   * @returns the image id
   */
  recordImage(image: NewImage): string {
    const id = digestHex(image.configDigest);
    return this.#db.immediate(() => {
      for (const digest of [image.manifestDigest, image.configDigest, ...image.layers.map((l) => l.blobDigest)]) {
        // A concurrent rmi may have deleted a shared blob since it was checked: the caller fetches again.
        if (!existsSync(this.blobs.path(digest))) {
          throw new ImageError('ISOLA_IMAGE_NOT_FOUND', `the blob ${digest} of ${image.names[0] ?? id} is no longer stored`, digest,
            { hint: 'another isola removed it meanwhile: run the command again' });
        }
      }
      const size = image.layers.reduce((sum, l) => sum + l.blobSize, 0);
      this.#db.run(`INSERT INTO images (id, manifest_digest, manifest_media_type, config_digest, size, created, stored_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET manifest_digest = excluded.manifest_digest, manifest_media_type = excluded.manifest_media_type`,
        id, image.manifestDigest, image.manifestMediaType, image.configDigest, size, image.created ?? null, Date.now());
      this.#db.run('DELETE FROM image_layers WHERE image_id = ?', id);
      image.layers.forEach((layer, position) => {
        this.#db.run('INSERT INTO image_layers (image_id, position, diff_id, blob_digest, blob_size, media_type) VALUES (?, ?, ?, ?, ?, ?)',
          id, position, layer.diffId, layer.blobDigest, layer.blobSize, layer.mediaType);
      });
      for (const name of image.names) this.#db.run('INSERT OR REPLACE INTO image_names (name, image_id) VALUES (?, ?)', name, id);
      return id;
    });
  }

  list(): ImageRecord[] {
    const names = new Map<string, string[]>();
    for (const row of this.#db.all('SELECT name, image_id FROM image_names ORDER BY name')) {
      const list = names.get(String(row['image_id'])) ?? [];
      list.push(String(row['name']));
      names.set(String(row['image_id']), list);
    }
    const layers = new Map<string, LayerRecord[]>();
    for (const row of this.#db.all('SELECT * FROM image_layers ORDER BY image_id, position')) {
      const list = layers.get(String(row['image_id'])) ?? [];
      list.push({ diffId: row['diff_id'] as Digest, blobDigest: row['blob_digest'] as Digest, blobSize: Number(row['blob_size']), mediaType: String(row['media_type']) });
      layers.set(String(row['image_id']), list);
    }
    const unpacked = new Map(this.#db.all('SELECT diff_id, size FROM layers').map((row) => [String(row['diff_id']), Number(row['size'])]));
    return this.#db.all('SELECT * FROM images ORDER BY stored_ms DESC').map((row) => {
      const id = String(row['id']);
      const imageLayers = layers.get(id) ?? [];
      const isUnpacked = imageLayers.every((l) => unpacked.has(l.diffId));
      return {
        id, names: names.get(id) ?? [], layers: imageLayers,
        manifestDigest: row['manifest_digest'] as Digest, manifestMediaType: String(row['manifest_media_type']),
        configDigest: row['config_digest'] as Digest,
        size: isUnpacked ? imageLayers.reduce((sum, l) => sum + (unpacked.get(l.diffId) ?? 0), 0) : Number(row['size']),
        created: row['created'] === null ? undefined : String(row['created']), storedMs: Number(row['stored_ms']),
      };
    });
  }

  /** The image a name, an id, an id prefix (at least 3 hex digits) or `sha256:<id>` names. */
  find(nameOrId: string): ImageRecord | undefined {
    const images = this.list();
    const byName = images.find((image) => image.names.includes(nameOrId));
    if (byName !== undefined) return byName;
    const id = nameOrId.startsWith('sha256:') ? nameOrId.slice(7) : nameOrId;
    if (!/^[a-f0-9]{3,64}$/.test(id)) return undefined;
    const matches = images.filter((image) => image.id.startsWith(id));
    if (matches.length > 1) {
      throw new ImageError('ISOLA_IMAGE_NOT_FOUND', `the id prefix ${id} matches ${matches.length} images`, nameOrId, { hint: 'give more digits of the id' });
    }
    return matches[0];
  }

  /** The image with this manifest digest, for `name@sha256:...` references. */
  findByManifestDigest(digest: Digest): ImageRecord | undefined {
    return this.list().find((image) => image.manifestDigest === digest);
  }

  addName(imageId: string, name: string): void {
    this.#db.immediate(() => {
      if (this.#db.get('SELECT 1 AS x FROM images WHERE id = ?', imageId) === undefined) {
        throw new ImageError('ISOLA_IMAGE_NOT_FOUND', `image ${imageId} is not stored`, imageId, { hint: 'it was removed meanwhile' });
      }
      this.#db.run('INSERT OR REPLACE INTO image_names (name, image_id) VALUES (?, ?)', name, imageId);
    });
  }

  /**
   * Removes a name, and the image once it has no name left (or at once when
   * asked by id), then its layers and blobs no other image uses.
   */
  async remove(image: ImageRecord, byName: string | undefined): Promise<RemovedImage> {
    const trash = join(this.dir, 'tmp', `removing-${process.pid}-${Date.now()}`);
    await mkdir(trash, { recursive: true, mode: 0o700 });
    try {
      const result = this.#db.immediate(() => this.#removeLocked(image, byName, trash));
      return result;
    } finally {
      await this.#removeTree(trash);
    }
  }

  #removeLocked(image: ImageRecord, byName: string | undefined, trash: string): RemovedImage {
    if (byName !== undefined) {
      this.#db.run('DELETE FROM image_names WHERE name = ?', byName);
      const left = this.#db.get('SELECT count(*) AS n FROM image_names WHERE image_id = ?', image.id);
      if (Number(left?.['n'] ?? 0) > 0) return { id: image.id, isImageRemoved: false, removedLayers: [] };
    }
    this.#db.run('DELETE FROM images WHERE id = ?', image.id);
    const removedLayers: Digest[] = [];
    for (const layer of image.layers) {
      const users = this.#db.get('SELECT count(*) AS n FROM image_layers WHERE diff_id = ?', layer.diffId);
      if (Number(users?.['n'] ?? 0) === 0 && this.#db.run('DELETE FROM layers WHERE diff_id = ?', layer.diffId) > 0) {
        // Renamed out of the store under the lock; the tree is deleted after the commit.
        renameSync(this.layerPath(layer.diffId), join(trash, digestHex(layer.diffId)));
        removedLayers.push(layer.diffId);
      }
    }
    const blobs = [image.manifestDigest, image.configDigest, ...image.layers.map((l) => l.blobDigest)];
    for (const digest of new Set(blobs)) {
      const users = this.#db.get(`SELECT (SELECT count(*) FROM image_layers WHERE blob_digest = ?1)
        + (SELECT count(*) FROM images WHERE manifest_digest = ?1 OR config_digest = ?1) AS n`, digest);
      if (Number(users?.['n'] ?? 0) === 0 && existsSync(this.blobs.path(digest))) renameSync(this.blobs.path(digest), join(trash, `blob-${digestHex(digest)}`));
    }
    removedLayers.push(...this.#collectOrphanLayers(trash));
    return { id: image.id, isImageRemoved: true, removedLayers };
  }

  /**
   * Layers no image refers to that were unpacked long enough ago that no pull
   * can still be about to record them (a pull that failed after unpacking).
   */
  #collectOrphanLayers(trash: string): Digest[] {
    const rows = this.#db.all(`SELECT diff_id FROM layers WHERE unpacked_ms < ?
      AND diff_id NOT IN (SELECT diff_id FROM image_layers)`, Date.now() - ORPHAN_AGE_MS);
    const collected: Digest[] = [];
    for (const row of rows) {
      const diffId = row['diff_id'] as Digest;
      this.#db.run('DELETE FROM layers WHERE diff_id = ?', diffId);
      if (existsSync(this.layerPath(diffId))) renameSync(this.layerPath(diffId), join(trash, digestHex(diffId)));
      collected.push(diffId);
    }
    return collected;
  }
}

function layerFromRow(row: Row): StoredLayer {
  return {
    diffId: row['diff_id'] as Digest, size: Number(row['size']), fileCount: Number(row['file_count']),
    maxUid: Number(row['max_uid']), maxGid: Number(row['max_gid']),
  };
}
