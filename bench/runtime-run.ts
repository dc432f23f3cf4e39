/**
 * `isola-runtime run` of an OCI bundle against `runc run` and `crun run` on
 * the same bundle running /bin/true, with a user namespace (0:100000:65536)
 * and without one, interleaved round-robin. `node -e 0` is reported on its
 * own: it is the floor any Node CLI pays, and isola-runtime is one. Target
 * (issue 6): isola-runtime within 1.5x of runc's median. A report, not a
 * test: exits 0 whether the target passes or not.
 *
 * Usage (as root): node_modules/.bin/node bench/runtime-run.ts [--runs N] [--warmup N] [--json]
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureHostRootfs } from '../test/fixtures/host-rootfs.ts';
import { parseCount } from './lib/bench-args.ts';
import { recordDeviceOwners, restoreDeviceOwners } from '../test/helpers/device-nodes.ts';
import { ID_MAP } from './lib/cases.ts';
import { buildBundleConfig, createOciBundle } from './lib/oci-bundle.ts';
import { ensurePeerTools } from './lib/peers.ts';
import { createScratchDir, removeScratchDir } from './lib/scratch.ts';
import { summarize, timeCommand, type Summary } from './lib/timing.ts';

const repoDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = (line: string): void => void process.stderr.write(`${line}\n`);

interface Case { readonly name: string; readonly mode: 'userns' | 'host' | 'node'; readonly runtime: string; readonly argv: (id: string) => string[] }

async function isHybridCgroupHost(): Promise<boolean> {
  const mounts = await readFile('/proc/self/mountinfo', 'utf8');
  return mounts.split('\n').some((line) => line.split(' ')[4] === '/sys/fs/cgroup/unified' && line.includes(' - cgroup2 '));
}

async function prepare(scratch: string): Promise<{ cases: Case[]; missing: string[] }> {
  const rootfs = await ensureHostRootfs();
  const peers = await ensurePeerTools(log);
  const usernsBundle = join(scratch, 'bundle-userns');
  await createOciBundle(usernsBundle, rootfs, ['/bin/true'], ID_MAP);
  // Without a user namespace: the same config minus the user namespace and maps, on the same rootfs copy.
  const hostBundle = join(scratch, 'bundle-host');
  const config = buildBundleConfig(['/bin/true'], ID_MAP) as { linux: Record<string, unknown>; root: Record<string, unknown> };
  const { uidMappings: _u, gidMappings: _g, ...rest } = config.linux;
  const linux = { ...rest, namespaces: ['pid', 'ipc', 'uts', 'mount', 'network'].map((type) => ({ type })) };
  await mkdir(hostBundle, { recursive: true });
  await writeFile(join(hostBundle, 'config.json'), JSON.stringify({ ...config, root: { path: join(usernsBundle, 'rootfs') }, linux }));
  const runtimes: Array<{ runtime: string; path: string | undefined; wrap: (argv: string[]) => string[] }> = [
    { runtime: 'isola-runtime', path: join(repoDir, 'bin/isola-runtime'), wrap: (a) => a },
  ];
  const missing: string[] = [];
  const hybrid = await isHybridCgroupHost();
  for (const binary of ['runc', 'crun']) {
    const status = peers.get(binary);
    if (status?.isAvailable !== true) { missing.push(`${binary}: ${status?.reason ?? 'not found'}`); continue; }
    const unshare = peers.get('unshare');
    // crun refuses a hybrid host; in a private mount namespace without the cgroup2 mount it sees plain v1.
    const wrap = binary === 'crun' && hybrid && unshare?.isAvailable === true
      ? (argv: string[]) => [unshare.path, '-m', 'sh', '-c', 'umount /sys/fs/cgroup/unified && exec "$0" "$@"', ...argv]
      : (argv: string[]) => argv;
    runtimes.push({ runtime: binary, path: status.path, wrap });
  }
  const cases: Case[] = [{ name: 'node -e 0', mode: 'node', runtime: 'node', argv: () => [join(repoDir, 'node_modules/.bin/node'), '-e', '0'] }];
  for (const { runtime, path, wrap } of runtimes) {
    for (const [mode, bundle] of [['userns', usernsBundle], ['host', hostBundle]] as const) {
      const state = join(scratch, `${runtime}-state`);
      cases.push({ name: `${runtime} run (${mode})`, mode, runtime, argv: (id) => wrap([path!, '--root', state, 'run', '--bundle', bundle, id]) });
    }
  }
  return { cases, missing };
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' }, warmup: { type: 'string', default: '2' }, json: { type: 'boolean', default: false } } });
  const runs = parseCount('--runs', values.runs, 1);
  const warmup = parseCount('--warmup', values.warmup, 0);
  const scratch = await createScratchDir();
  const devices = await recordDeviceOwners();
  try {
    const { cases, missing } = await prepare(scratch);
    const samples = new Map(cases.map((c) => [c.name, [] as number[]]));
    let runId = 0;
    for (let round = 0; round < warmup + runs; round++) {
      log(`round ${round + 1}/${warmup + runs}`);
      for (let i = 0; i < cases.length; i++) {
        const c = cases[(i + round) % cases.length]!;
        const ms = await timeCommand(c.argv(`bench-${process.pid}-${++runId}`));
        if (round >= warmup) samples.get(c.name)!.push(ms);
      }
    }
    const results = new Map<string, Summary>([...samples].map(([name, s]) => [name, summarize(s)]));
    const rows = cases.map((c) => {
      const summary = results.get(c.name)!;
      const runc = results.get(`runc run (${c.mode})`);
      return { name: c.name, ...summary, ratioToRunc: c.mode === 'node' || runc === undefined ? undefined : summary.medianMs / runc.medianMs };
    });
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ results: rows, missing }, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(`${'case'.padEnd(28)}${'median ms'.padStart(11)}${'p90 ms'.padStart(9)}${'x runc'.padStart(9)}\n`);
    for (const r of rows) {
      process.stdout.write(`${r.name.padEnd(28)}${r.medianMs.toFixed(1).padStart(11)}${r.p90Ms.toFixed(1).padStart(9)}${(r.ratioToRunc === undefined ? '' : r.ratioToRunc.toFixed(2)).padStart(9)}\n`);
    }
    for (const mode of ['userns', 'host'] as const) {
      const ratio = rows.find((r) => r.name === `isola-runtime run (${mode})`)?.ratioToRunc;
      process.stdout.write(`target isola-runtime <= 1.5x runc (${mode}): ${ratio === undefined ? 'n/a' : `${ratio <= 1.5 ? 'PASS' : 'MISS'} (${ratio.toFixed(2)}x)`}\n`);
    }
    for (const line of missing) process.stdout.write(`unavailable: ${line}\n`);
    return 0;
  } finally {
    await removeScratchDir(scratch);
    const changed = await restoreDeviceOwners(devices);
    if (changed.length > 0) log(`a peer changed the host's ${changed.join(', ')}: put back`);
  }
}

process.exitCode = await main();
