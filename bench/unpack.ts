/**
 * Layer unpacking: isola's unpackLayer (in this process) against GNU `tar -xf`
 * and `umoci unpack` on the same gzip layer, as root, into a fresh directory
 * each run. Two layers are made at bench time from this host's files:
 *
 *   100k small files   100,000 files of 64-1088 bytes (slices of /usr/bin/* ) in 1,000 directories
 *   ~100 MB            files from /usr/lib and /usr/share until their sizes add up to 100 MB
 *
 * umoci needs an OCI layout: one is written around the same blob (an image
 * of one layer). Runs are interleaved round-robin, warm-up not counted,
 * deleting the output is not timed. A report, not a test.
 *
 * Usage (as root): node_modules/.bin/node bench/unpack.ts [--runs N] [--warmup N] [--json]
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { unpackLayer } from '../src/image/index.ts';
import { parseCount } from './lib/bench-args.ts';
import { createScratchDir, removeScratchDir } from './lib/scratch.ts';
import { summarize, timeCall, timeCommand, type Summary } from './lib/timing.ts';

const run = promisify(execFile);
const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function hostFiles(roots: readonly string[], limitBytes: number): Promise<string[]> {
  const files: string[] = [];
  let total = 0;
  const stack = [...roots];
  while (stack.length > 0 && total < limitBytes) {
    const dir = stack.shift()!;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) stack.push(path);
      else if (entry.isFile() && total < limitBytes) {
        total += (await stat(path)).size;
        files.push(path);
      }
    }
  }
  return files;
}

async function makeSmallFilesLayer(dir: string): Promise<string> {
  const src = join(dir, 'small-src');
  const binaries = (await hostFiles(['/usr/bin'], 64 << 20)).slice(0, 200);
  const pool = Buffer.concat(await Promise.all(binaries.map((b) => readFile(b))));
  for (let d = 0; d < 1000; d++) {
    await mkdir(join(src, `d${d}`), { recursive: true });
    await Promise.all(Array.from({ length: 100 }, (_, f) => {
      const start = ((d * 100 + f) * 4099) % (pool.length - 2048);
      return writeFile(join(src, `d${d}`, `f${f}`), pool.subarray(start, start + 64 + ((d * 100 + f) % 1024)));
    }));
  }
  const blob = join(dir, 'small.tar.gz');
  await run('tar', ['--numeric-owner', '-czf', blob, '-C', src, '.']);
  await rm(src, { recursive: true });
  return blob;
}

async function makeLargeLayer(dir: string): Promise<string> {
  const files = await hostFiles(['/usr/lib', '/usr/share'], 100 << 20);
  const list = join(dir, 'large.list');
  await writeFile(list, files.map((f) => f.slice(1)).join('\n'));
  const blob = join(dir, 'large.tar.gz');
  await run('tar', ['--numeric-owner', '-czf', blob, '-C', '/', '-T', list]);
  return blob;
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** An OCI layout holding one image whose only layer is `blob`, tagged "bench". */
async function makeOciLayout(dir: string, blob: string, diffId: string): Promise<string> {
  const layout = join(dir, 'layout');
  await mkdir(join(layout, 'blobs/sha256'), { recursive: true });
  const put = async (data: Buffer): Promise<{ digest: string; size: number }> => {
    const hex = sha256(data);
    await writeFile(join(layout, 'blobs/sha256', hex), data);
    return { digest: `sha256:${hex}`, size: data.length };
  };
  const layer = await put(await readFile(blob));
  const config = await put(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [diffId] } })));
  const manifest = await put(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }] })));
  await writeFile(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{
    mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'org.opencontainers.image.ref.name': 'bench' } }] }));
  return layout;
}

interface Subject { readonly name: string; measure(out: string): Promise<number> }

async function benchLayer(dir: string, label: string, blob: string, runs: number, warmup: number): Promise<Record<string, Summary>> {
  const probe = await unpackLayer({ blob, target: join(dir, 'probe'), whiteouts: 'overlay' });
  await rm(join(dir, 'probe'), { recursive: true });
  const layout = await makeOciLayout(join(dir, label), blob, probe.diffId);
  log(`${label}: ${probe.fileCount} entries, ${(probe.size / 1e6).toFixed(1)} MB uncompressed, ${((await stat(blob)).size / 1e6).toFixed(1)} MB gzip`);
  const subjects: Subject[] = [
    { name: 'isola unpackLayer', measure: (out) => timeCall(async () => { await unpackLayer({ blob, target: out, whiteouts: 'overlay' }); }) },
    { name: 'tar -xzf', measure: async (out) => { await mkdir(out); return timeCommand(['tar', '--numeric-owner', '-xzf', blob, '-C', out]); } },
    { name: 'umoci unpack', measure: (out) => timeCommand(['umoci', 'unpack', '--image', `${layout}:bench`, out]) },
  ];
  const samples = new Map(subjects.map((s) => [s.name, [] as number[]]));
  for (let round = 0; round < warmup + runs; round++) {
    log(`${label}: round ${round + 1}/${warmup + runs}`);
    for (let i = 0; i < subjects.length; i++) {
      const subject = subjects[(i + round) % subjects.length]!;
      const out = join(dir, 'out');
      const ms = await subject.measure(out);
      await rm(out, { recursive: true, force: true });
      if (round >= warmup) samples.get(subject.name)!.push(ms);
    }
  }
  return Object.fromEntries([...samples].map(([name, values]) => [name, summarize(values)]));
}

function formatResults(label: string, results: Record<string, Summary>): string {
  const isola = results['isola unpackLayer']!.medianMs;
  const lines = [`${label}`, `  ${'name'.padEnd(18)}  median ms    min ms  x isola`];
  for (const [name, s] of Object.entries(results)) {
    lines.push(`  ${name.padEnd(18)}  ${s.medianMs.toFixed(0).padStart(9)}  ${s.minMs.toFixed(0).padStart(8)}  ${(s.medianMs / isola).toFixed(2).padStart(7)}`);
  }
  return lines.join('\n');
}

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, warmup: { type: 'string', default: '1' }, json: { type: 'boolean', default: false } } });
const runs = parseCount('--runs', values.runs, 1);
const warmup = parseCount('--warmup', values.warmup, 0);
const dir = await createScratchDir();
try {
  log('making the layers from host files');
  const small = await makeSmallFilesLayer(dir);
  const large = await makeLargeLayer(dir);
  const results = {
    '100k small files': await benchLayer(dir, 'small', small, runs, warmup),
    '~100 MB': await benchLayer(dir, 'large', large, runs, warmup),
  };
  if (values.json) console.log(JSON.stringify(results, null, 2));
  else console.log(Object.entries(results).map(([label, r]) => formatResults(label, r)).join('\n\n'));
} finally {
  await removeScratchDir(dir);
}
