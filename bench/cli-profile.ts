/**
 * Where `isola run` spends its CPU: runs the bundled CLI (dist/isola.cjs) under
 * `node --cpu-prof` several times and sums each run's sampled self time by
 * source module (the bundle's `// src/...` markers map chunk lines back to
 * src/ files), by Node built-in, and by V8 bucket (GC, program, idle). It
 * shows what start-up loads and runs; the wall-clock comparison with peers is
 * bench/start-latency.ts. Profiling slows everything down several times, so
 * compare shares and the same command before and after a change, not
 * absolute times.
 *
 * Usage (as root, after scripts/build.ts):
 *   node_modules/.bin/node bench/cli-profile.ts [--runs N] [--top N] [-- ISOLA-ARGS...]
 * Without ISOLA-ARGS it profiles `run --rm --rootfs R --uidmap 0:100000:65536
 * --gidmap 0:100000:65536 /bin/true` with R the host rootfs fixture.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { ensureHostRootfs } from '../test/fixtures/host-rootfs.ts';
import { parseCount } from './lib/bench-args.ts';
import { createScratchDir, removeScratchDir } from './lib/scratch.ts';

const repoDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly url: string; readonly functionName: string; readonly lineNumber: number };
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** For a dist chunk: the src/ module each line belongs to, from esbuild's `// src/x.ts` markers. */
async function moduleOfLine(path: string): Promise<string[]> {
  const lines = (await readFile(path, 'utf8')).split('\n');
  let current = '(chunk glue)';
  return lines.map((line) => {
    const marker = /^\/\/ (src\/\S+\.ts)$/.exec(line);
    if (marker !== null) current = marker[1]!;
    return current;
  });
}

async function groupOf(frame: ProfileNode['callFrame'], chunks: Map<string, Promise<string[]>>): Promise<string> {
  if (frame.url === '') return `(${frame.functionName || 'native'})`;
  if (frame.url.startsWith('node:')) return `node: ${frame.url.slice(5)}`;
  if (!frame.url.startsWith('file://') && !frame.url.startsWith('/')) return frame.url;
  const path = frame.url.startsWith('/') ? frame.url : fileURLToPath(frame.url);
  if (!chunks.has(path)) chunks.set(path, moduleOfLine(path).catch(() => []));
  return (await chunks.get(path)!)[frame.lineNumber] ?? path;
}

/** Self time per group in one profile, in milliseconds. */
async function selfTimes(profile: CpuProfile, chunks: Map<string, Promise<string[]>>): Promise<Map<string, number>> {
  const byNode = new Map<number, number>();
  profile.samples.forEach((id, i) => byNode.set(id, (byNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const totals = new Map<string, number>();
  for (const node of profile.nodes) {
    const ms = byNode.get(node.id);
    if (ms === undefined) continue;
    const group = await groupOf(node.callFrame, chunks);
    totals.set(group, (totals.get(group) ?? 0) + ms);
  }
  return totals;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { runs: { type: 'string', default: '10' }, top: { type: 'string', default: '30' } }, allowPositionals: true,
  });
  const runs = parseCount('--runs', values.runs, 1);
  const top = parseCount('--top', values.top, 1);
  const scratch = await createScratchDir();
  try {
    const isolaArgs = positionals.length > 0 ? positionals : ['run', '--rm', '--rootfs', await ensureHostRootfs(),
      '--uidmap', '0:100000:65536', '--gidmap', '0:100000:65536', '/bin/true'];
    const profiles = join(scratch, 'profiles');
    for (let i = 0; i < runs; i++) {
      await run(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profiles}`, '--cpu-prof-interval=250', join(repoDir, 'dist', 'isola.cjs'),
        '--root', join(scratch, 'root'), '--runroot', join(scratch, 'run'), ...isolaArgs]);
    }
    const chunks = new Map<string, Promise<string[]>>();
    const sums = new Map<string, number>();
    for (const file of await readdir(profiles)) {
      const profile = JSON.parse(await readFile(join(profiles, file), 'utf8')) as CpuProfile;
      for (const [group, ms] of await selfTimes(profile, chunks)) sums.set(group, (sums.get(group) ?? 0) + ms);
    }
    const total = [...sums.values()].reduce((a, b) => a + b, 0) / runs;
    const rows = [...sums].sort((a, b) => b[1] - a[1]).slice(0, top)
      .map(([group, ms]) => `${(ms / runs).toFixed(2).padStart(8)} ms  ${(100 * ms / runs / total).toFixed(1).padStart(5)}%  ${group}`);
    process.stdout.write([`isola ${isolaArgs.join(' ')}: ${runs} profiled runs, ${total.toFixed(1)} ms sampled per run (self time)`, ...rows, ''].join('\n'));
  } finally {
    await removeScratchDir(scratch);
  }
}

await main();
