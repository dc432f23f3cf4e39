/** Builds layer blobs for tests: from writeTar items, or raw tar bytes, optionally compressed. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { writeTar, type TarWriteItem } from '../tar/tar-writer.ts';

export async function tarBytes(items: readonly TarWriteItem[]): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of writeTar(items)) parts.push(chunk);
  return Buffer.concat(parts);
}

export async function writeLayer(dir: string, name: string, items: readonly TarWriteItem[] | Buffer,
  compression: 'none' | 'gzip' | 'zstd' = 'gzip'): Promise<string> {
  const tar = Buffer.isBuffer(items) ? items : await tarBytes(items);
  const bytes = compression === 'gzip' ? gzipSync(tar) : compression === 'zstd' ? zstdCompressSync(tar) : tar;
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

/** A scratch directory removed after the test. */
export async function scratchDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'isola-unpack-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A pax header block + body for a sparse 1.0 file whose map and data the caller gives. */
export function sparseEntryBytes(name: string, realSize: number, segments: readonly [number, Buffer][]): Buffer {
  const map = `${segments.length}\n${segments.map(([offset, data]) => `${offset}\n${data.length}\n`).join('')}`;
  const mapBlock = Buffer.alloc(Math.ceil(map.length / 512) * 512);
  mapBlock.write(map, 'latin1');
  const data = Buffer.concat(segments.map(([, d]) => d));
  const stored = Buffer.concat([mapBlock, data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
  const record = (key: string, value: string): string => {
    const tail = key.length + value.length + 3;
    let length = tail + String(tail).length;
    if (String(length).length !== String(length - tail).length) length = tail + String(length).length;
    return `${length} ${key}=${value}\n`;
  };
  const pax = Buffer.from(['GNU.sparse.major', '1', 'GNU.sparse.minor', '0', 'GNU.sparse.name', name, 'GNU.sparse.realsize', String(realSize)]
    .reduce((text, _v, i, a) => (i % 2 === 0 ? text + record(a[i]!, a[i + 1]!) : text), ''));
  const header = (headerName: string, type: string, size: number): Buffer => {
    const block = Buffer.alloc(512);
    block.write(headerName, 0);
    block.write('0000644\0', 100);
    block.write('0000000\0', 108);
    block.write('0000000\0', 116);
    block.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
    block.write('00000000000\0', 136);
    block.write(type, 156);
    block.write('ustar\x0000', 257, 'latin1');
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
    block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    return block;
  };
  return Buffer.concat([header('PaxHeaders/x', 'x', pax.length), pax, Buffer.alloc((512 - (pax.length % 512)) % 512),
    header('GNUSparseFile.0/x', '0', mapBlock.length + data.length), stored]);
}
