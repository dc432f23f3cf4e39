/**
 * Pull and unpack of a ~100 MB image (made now from this host's files, four
 * gzip layers) from a local registry (Debian's docker-registry on 127.0.0.1),
 * each run into an empty store, wall clock from spawn to exit:
 *
 *   isola pull                 bin/isola --root EMPTY pull (downloads, verifies, unpacks)
 *   podman pull                podman --root EMPTY --storage-driver overlay pull
 *   skopeo copy + umoci unpack skopeo copy docker://REF oci:DIR, then umoci unpack
 *
 * Runs are interleaved, the first subject rotating each round. A report, not a
 * test: it exits 0 whether the target (isola no slower than the fastest peer)
 * passes or misses.
 *
 * Usage (as root): node_modules/.bin/node bench/pull.ts [--runs N] [--size-mb N] [--json]
 */
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { startRegistry } from '../test/helpers/registry.ts';
import { findCommand } from '../test/helpers/requirements.ts';
import { parseCount } from './lib/bench-args.ts';
import { buildBenchImage, pushBenchImage } from './lib/pull-image.ts';
import { createScratchDir, removeScratchDir } from './lib/scratch.ts';
import { summarize, timeCommand } from './lib/timing.ts';

const run = promisify(execFile);
const repoDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = (line: string): void => void process.stderr.write(`${line}\n`);

interface PullCase {
  readonly name: string;
  /** Pulls into `dir` (empty) and returns the wall time in ms. */
  readonly pull: (dir: string) => Promise<number>;
}

async function ensureTools(): Promise<void> {
  const missing = [['skopeo', 'skopeo'], ['umoci', 'umoci'], ['podman', 'podman'], ['docker-registry', 'docker-registry']]
    .filter(([binary]) => findCommand(binary!) === undefined).map(([, pkg]) => pkg!);
  if (missing.length === 0) return;
  log(`installing ${missing.join(' ')} with apt-get`);
  await run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, maxBuffer: 64 << 20 });
}

function cases(reference: string): PullCase[] {
  const isola = join(repoDir, 'bin', 'isola');
  return [
    { name: 'isola pull', pull: (dir) => timeCommand([isola, '--root', join(dir, 'root'), '--runroot', join(dir, 'run'), 'pull', '--quiet', '--tls-verify=false', reference]) },
    {
      name: 'podman pull',
      pull: (dir) => timeCommand(['podman', '--root', join(dir, 'root'), '--runroot', join(dir, 'run'), '--tmpdir', join(dir, 'tmp'),
        '--storage-driver', 'overlay', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', 'pull', '--quiet', '--tls-verify=false', `docker://${reference}`]),
    },
    {
      name: 'skopeo copy + umoci unpack',
      pull: async (dir) => {
        const copy = await timeCommand(['skopeo', 'copy', '--quiet', '--src-tls-verify=false', `docker://${reference}`, `oci:${join(dir, 'oci')}:bench`]);
        return copy + await timeCommand(['umoci', 'unpack', '--image', `${join(dir, 'oci')}:bench`, join(dir, 'bundle')]);
      },
    },
  ];
}

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, 'size-mb': { type: 'string', default: '100' }, json: { type: 'boolean', default: false } } });
const runs = parseCount('--runs', values.runs, 1);
const sizeMb = parseCount('--size-mb', values['size-mb'], 1);
if (process.getuid?.() !== 0) throw new Error('bench/pull.ts runs as root (podman and umoci unpack into root-owned stores)');
await ensureTools();
const scratch = await createScratchDir();
const registry = await startRegistry();
try {
  log(`building a ${sizeMb} MB image from host files`);
  const image = await buildBenchImage(join(scratch, 'layout'), sizeMb * 1e6);
  const reference = `${registry.host}/bench/pull:1`;
  await pushBenchImage(image.layout, reference);
  log(`image: ${image.fileCount} files, ${(image.uncompressedBytes / 1e6).toFixed(1)} MB, ${(image.compressedBytes / 1e6).toFixed(1)} MB gzip; ${runs} runs each`);
  const subjects = cases(reference);
  const samples = new Map(subjects.map((c) => [c.name, [] as number[]]));
  const failures = new Map<string, string>();
  for (let round = 0; round < runs; round++) {
    for (let i = 0; i < subjects.length; i++) {
      const subject = subjects[(round + i) % subjects.length]!;
      if (failures.has(subject.name)) continue;
      const dir = join(scratch, `run-${round}-${i}`);
      await mkdir(dir, { recursive: true });
      await run('sync');
      try {
        samples.get(subject.name)!.push(await subject.pull(dir));
      } catch (error) {
        failures.set(subject.name, (error as Error).message.split('\n')[0] ?? 'failed');
      } finally {
        await removeScratchDir(dir);
        // The last run's writeback must not be billed to the next subject.
        await run('sync');
      }
    }
  }
  const results = subjects.filter((c) => (samples.get(c.name) ?? []).length > 0).map((c) => ({ name: c.name, ...summarize(samples.get(c.name)!) }));
  const isola = results.find((r) => r.name === 'isola pull');
  const fastestPeer = results.filter((r) => r !== isola).sort((a, b) => a.medianMs - b.medianMs)[0];
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ image, results, failures: Object.fromEntries(failures) }, null, 2)}\n`);
  } else {
    const width = Math.max(...subjects.map((c) => c.name.length));
    const lines = [`${'name'.padEnd(width)}  median ms     min ms  x isola`];
    for (const r of results) {
      const ratio = isola === undefined ? '-' : (r.medianMs / isola.medianMs).toFixed(2);
      lines.push(`${r.name.padEnd(width)}  ${r.medianMs.toFixed(0).padStart(9)}  ${r.minMs.toFixed(0).padStart(9)}  ${ratio.padStart(7)}`);
    }
    for (const [name, reason] of failures) lines.push(`${name.padEnd(width)}  failed: ${reason}`);
    const verdict = isola === undefined || fastestPeer === undefined ? 'n/a' : isola.medianMs <= fastestPeer.medianMs ? 'PASS' : 'MISS';
    lines.push('', `target: isola pull no slower than the fastest peer: ${verdict}`
      + (fastestPeer === undefined || isola === undefined ? '' : ` (${isola.medianMs.toFixed(0)} ms vs ${fastestPeer.name} ${fastestPeer.medianMs.toFixed(0)} ms)`));
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  if (isola === undefined) process.exitCode = 1;
} finally {
  await registry.stop();
  await removeScratchDir(scratch);
}
