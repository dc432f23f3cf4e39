/**
 * Start latency of `isola run` against its peers: how long, wall clock, from
 * spawning the command to its exit, a container running /bin/true takes.
 * Every subject runs the same rootfs with the same ID map (0:100000:65536) in
 * new user, pid, ipc, uts, mount and network namespaces:
 *
 *   node -e 0                  Node 24's own start-up, the floor of any Node CLI
 *   isola run (CLI)            bin/isola run --rm --rootfs R --uidmap/--gidmap ... /bin/true
 *   isola engine.run (API)     engine.run + exit in this already running process
 *   crun run / runc run        an OCI bundle (see lib/oci-bundle.ts), fresh id per run
 *   bwrap                      --unshare-all --uid 0 --gid 0 --bind R / ...
 *   podman run --runtime runc  an image imported from R, in a throwaway podman root
 *
 * Runs are interleaved round-robin, the first subject rotating each round, so
 * machine noise hits all subjects alike; warm-up rounds are not counted. It
 * is a report, not a test: it exits 0 whether targets pass or miss, and 1
 * only when isola itself could not be measured or something crashed.
 *
 * Usage (as root, with Node 24): node_modules/.bin/node bench/start-latency.ts [--runs N] [--warmup N] [--json]
 */
import { release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { InvalidOptionError } from '../src/errors/index.ts';
import { ensureHostRootfs } from '../test/fixtures/host-rootfs.ts';
import { isUnavailable, prepareCases, UNSHARE_OVERHEAD, type BenchCase } from './lib/cases.ts';
import { recordMissingHostTraces, removeHostTraces } from './lib/host-traces.ts';
import { ensurePeerTools, type PeerStatus } from './lib/peers.ts';
import { CASE, checkTargets, formatTable, type CaseResult, type UnavailableCase } from './lib/report.ts';
import { parseCount } from './lib/bench-args.ts';
import { createScratchDir, removeScratchDir } from './lib/scratch.ts';
import { summarize } from './lib/timing.ts';
import { recordDeviceOwners, restoreDeviceOwners } from '../test/helpers/device-nodes.ts';

const repoDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = (line: string): void => void process.stderr.write(`${line}\n`);

interface BenchArgs {
  readonly runs: number;
  readonly warmupRuns: number;
  readonly isJson: boolean;
}

function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: { runs: { type: 'string', default: '30' }, warmup: { type: 'string', default: '2' }, json: { type: 'boolean', default: false } },
  });
  return { runs: parseCount('--runs', values.runs, 1), warmupRuns: parseCount('--warmup', values.warmup, 0), isJson: values.json };
}

const firstLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';

/**
 * Round-robin: each round runs every live case once. A case that fails is
 * dropped with its reason rather than ending the whole run.
 */
async function runRounds(cases: BenchCase[], rounds: number, unavailable: UnavailableCase[], label: string): Promise<Map<string, number[]>> {
  const samples = new Map(cases.map((c) => [c.name, [] as number[]]));
  for (let round = 0; round < rounds; round++) {
    log(`${label} ${round + 1}/${rounds}`);
    const order = cases.map((_, i) => cases[(i + round) % cases.length]!);
    for (const benchCase of order) {
      if (!cases.includes(benchCase)) continue;
      try {
        samples.get(benchCase.name)!.push(await benchCase.measure());
      } catch (error) {
        unavailable.push({ name: benchCase.name, reason: `failed in ${label} ${round + 1}: ${firstLine(error)}` });
        cases.splice(cases.indexOf(benchCase), 1);
        samples.delete(benchCase.name);
      }
    }
  }
  return samples;
}

/** crun's samples lose the median cost of the unshare+umount wrapper it needs on a hybrid host. */
function toResults(samples: Map<string, number[]>): CaseResult[] {
  const overhead = samples.get(UNSHARE_OVERHEAD);
  const overheadMs = overhead === undefined ? undefined : summarize(overhead).medianMs;
  const summaries = [...samples].map(([name, values]) => {
    if (name !== CASE.crun || overheadMs === undefined) return { name, ...summarize(values) };
    const note = `unshare -m + umount overhead of ${overheadMs.toFixed(1)} ms subtracted`;
    return { name, ...summarize(values.map((v) => v - overheadMs)), note };
  });
  const cliMs = summaries.find((s) => s.name === CASE.isolaCli)?.medianMs;
  return summaries.map((s) => ({ ...s, ratioToIsolaCli: cliMs === undefined ? undefined : s.medianMs / cliMs }));
}

function describePeers(peers: ReadonlyMap<string, PeerStatus>): string[] {
  return [...peers.values()].map((p) => p.isAvailable ? `${p.binary}: ${p.version}` : `${p.binary}: unavailable (${p.reason})`);
}

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) {
    log('bench/start-latency.ts runs as root: it installs peers with apt-get and maps host uid 100000 and up');
    process.exitCode = 2;
    return;
  }
  // Before the peers answer --version: crun creates /run/crun even then.
  const hostTraces = await recordMissingHostTraces();
  const peers = await ensurePeerTools(log);
  const scratchDir = await createScratchDir();
  const devices = await recordDeviceOwners();
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const rootfs = await ensureHostRootfs();
    const prepared = await prepareCases({ repoDir, scratchDir, rootfs, peers, cleanups });
    const unavailable = prepared.filter(isUnavailable);
    const cases = prepared.filter((c): c is BenchCase => !isUnavailable(c));
    await runRounds(cases, args.warmupRuns, unavailable, 'warm-up round');
    const results = toResults(await runRounds(cases, args.runs, unavailable, 'round'));
    const targets = checkTargets(results);
    if (args.isJson) {
      const report = { runs: args.runs, warmupRuns: args.warmupRuns, kernel: release(), rootfs, peers: [...peers.values()], results, unavailable, targets };
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      const header = [`start latency of /bin/true, ${args.runs} interleaved runs each (${args.warmupRuns} warm-up), kernel ${release()}`, ...describePeers(peers), ''];
      process.stdout.write(`${[...header, formatTable(results, unavailable, targets)].join('\n')}\n`);
    }
    if (unavailable.some((u) => u.name === CASE.isolaCli || u.name === CASE.isolaApi)) process.exitCode = 1;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await removeScratchDir(scratchDir);
    const changed = await restoreDeviceOwners(devices);
    if (changed.length > 0) process.stderr.write(`a peer changed the host's ${changed.join(', ')}: put back\n`);
    await removeHostTraces(hostTraces);
  }
}

try {
  await main();
} catch (error) {
  // Bad flags are the caller's to fix; anything else is a crash worth its stack.
  const isUsage = error instanceof InvalidOptionError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true;
  log(isUsage ? `bench/start-latency.ts: ${(error as Error).message}` : String((error as Error).stack ?? error));
  process.exitCode = isUsage ? 2 : 1;
}
