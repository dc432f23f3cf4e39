/**
 * The pull benchmark's image: about 100 MB of this host's files (from /usr/bin
 * and /usr/lib), in four gzip layers so concurrent downloads matter, written as
 * an OCI layout and pushed to a local registry with skopeo.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SOURCES = ['/usr/bin', '/usr/lib/x86_64-linux-gnu', '/usr/lib'];

/** Regular files under the sources, sorted, until `totalBytes`. */
async function pickFiles(totalBytes: number): Promise<string[]> {
  const picked: string[] = [];
  let sum = 0;
  const walk = async (dir: string): Promise<void> => {
    const names = (await readdir(dir).catch(() => [] as string[])).sort();
    for (const name of names) {
      if (sum >= totalBytes) return;
      const path = join(dir, name);
      const info = await lstat(path).catch(() => undefined);
      if (info === undefined) continue;
      if (info.isDirectory()) await walk(path);
      else if (info.isFile() && !picked.includes(path.slice(1))) {
        picked.push(path.slice(1));
        sum += info.size;
      }
    }
  };
  for (const source of SOURCES) await walk(source);
  return picked;
}

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export interface BenchImage {
  readonly layout: string;
  readonly uncompressedBytes: number;
  readonly compressedBytes: number;
  readonly fileCount: number;
}

export async function buildBenchImage(layout: string, totalBytes: number, layerCount = 4): Promise<BenchImage> {
  const blobs = join(layout, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const files = await pickFiles(totalBytes);
  const put = async (bytes: Buffer): Promise<string> => {
    const digest = sha256(bytes);
    await writeFile(join(blobs, digest.slice(7)), bytes);
    return digest;
  };
  const layers = [];
  const diffIds = [];
  let uncompressedBytes = 0;
  for (let i = 0; i < layerCount; i++) {
    const part = files.filter((_, index) => index % layerCount === i);
    const list = join(layout, `files-${i}`);
    await writeFile(list, `${part.join('\n')}\n`);
    const tar = join(layout, `layer-${i}.tar`);
    await run('tar', ['--numeric-owner', '-C', '/', '-cf', tar, '-T', list]);
    const tarBytes = await readFile(tar);
    uncompressedBytes += tarBytes.byteLength;
    diffIds.push(sha256(tarBytes));
    await run('gzip', ['-6', '-f', tar]);
    const gz = await readFile(`${tar}.gz`);
    layers.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: await put(gz), size: gz.byteLength });
  }
  const config = Buffer.from(JSON.stringify({
    created: '2026-01-01T00:00:00Z', architecture: 'amd64', os: 'linux', config: { Cmd: ['/usr/bin/true'] },
    rootfs: { type: 'layers', diff_ids: diffIds },
  }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: await put(config), size: config.byteLength }, layers,
  }));
  const manifestDigest = await put(manifest);
  await writeFile(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{
    mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifestDigest, size: manifest.byteLength,
    annotations: { 'org.opencontainers.image.ref.name': 'bench' },
  }] }));
  return { layout, uncompressedBytes, compressedBytes: layers.reduce((sum, l) => sum + l.size, 0), fileCount: files.length };
}

export async function pushBenchImage(layout: string, destination: string): Promise<void> {
  await run('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `oci:${layout}:bench`, `docker://${destination}`], { maxBuffer: 16 << 20 });
}
