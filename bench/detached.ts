/**
 * Detached containers against podman's: how long `run -d` takes (spawn to
 * exit, the container left running), and how much memory each container's
 * monitor takes while it idles (isola's C shim against podman's conmon), RSS
 * and PSS from /proc/PID/smaps_rollup with N containers running at once.
 * Both run `sleep` on the same rootfs (podman with --rootfs, in a throwaway
 * podman root). Runs are interleaved; warm-up runs are not counted. A report,
 * not a test.
 *
 * With --ps N, it also times `isola ps -a` (median of 5) with N containers
 * recorded and running, made through the API.
 *
 * Usage (as root): node_modules/.bin/node bench/detached.ts [--runs N] [--warmup N] [--monitors N] [--ps N]
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { ensureHostRootfs } from '../test/fixtures/host-rootfs.ts';
import { parseCount } from './lib/bench-args.ts';
import { PODMAN_RUN_FLAGS } from './lib/podman.ts';
import { createScratchDir, removeScratchDir } from './lib/scratch.ts';
import { summarize, timeCommand } from './lib/timing.ts';
import { Engine } from '../src/engine/index.ts';

const run = promisify(execFile);
const repoDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = (line: string): void => void process.stderr.write(`${line}\n`);

interface Subject {
  readonly name: string;
  /** argv of `run -d` for container number i. */
  runArgv(i: number): string[];
  /** Host pids of the monitors of the containers it started. */
  monitorPids(): Promise<number[]>;
  removeAll(): Promise<void>;
}

async function memoryKib(pid: number): Promise<{ rss: number; pss: number }> {
  const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rss: field('Rss'), pss: field('Pss') };
}

function isolaSubject(scratch: string, rootfs: string): Subject {
  const cli = [join(repoDir, 'bin', 'isola'), '--root', join(scratch, 'isola-root'), '--runroot', join(scratch, 'isola-run')];
  const output = async (...args: string[]): Promise<string> => (await run(cli[0]!, [...cli.slice(1), ...args], { maxBuffer: 64 << 20 })).stdout;
  return {
    name: 'isola run -d',
    runArgv: (i) => [...cli, 'run', '-d', '--name', `b${i}`, '--rootfs', rootfs, '--', 'sleep', '10000'],
    monitorPids: async () => {
      const ids = (await output('ps', '-q')).trim().split('\n').filter((id) => id !== '');
      if (ids.length === 0) return [];
      return (JSON.parse(await output('inspect', ...ids)) as { monitorPid: number }[]).map((c) => c.monitorPid);
    },
    removeAll: async () => {
      const ids = (await output('ps', '-aq')).trim().split('\n').filter((id) => id !== '');
      if (ids.length > 0) await output('rm', '-f', ...ids);
    },
  };
}

function podmanSubject(scratch: string, rootfs: string): Subject {
  const cli = ['podman', '--root', join(scratch, 'podman-root'), '--runroot', join(scratch, 'podman-run'), '--tmpdir', join(scratch, 'podman-tmp'),
    '--cgroup-manager', 'cgroupfs', '--events-backend', 'file',
    // crun refuses this hybrid host; start-latency.ts uses runc for podman too.
    '--runtime', 'runc'];
  const output = async (...args: string[]): Promise<string> => (await run(cli[0]!, [...cli.slice(1), ...args], { maxBuffer: 64 << 20 })).stdout;
  return {
    name: 'podman run -d',
    runArgv: (i) => [...cli, 'run', '-d', ...PODMAN_RUN_FLAGS, '--name', `b${i}`, '--rootfs', rootfs, 'sleep', '10000'],
    monitorPids: async () => {
      const ids = (await output('ps', '-q')).trim().split('\n').filter((id) => id !== '');
      if (ids.length === 0) return [];
      return (await output('inspect', '--format', '{{.State.ConmonPid}}', ...ids)).trim().split('\n').map(Number);
    },
    removeAll: async () => { await output('rm', '--all', '--force', '--time', '0').catch(() => ''); },
  };
}

async function measureMemory(subject: Subject): Promise<{ rssKib: number; pssKib: number; count: number }> {
  const pids = await subject.monitorPids();
  const memory = await Promise.all(pids.map(memoryKib));
  const count = Math.max(1, memory.length);
  return {
    rssKib: memory.reduce((s, m) => s + m.rss, 0) / count, pssKib: memory.reduce((s, m) => s + m.pss, 0) / count, count: memory.length,
  };
}

/** Median wall time of `isola ps -a` with `count` containers running, made in-process through the API. */
async function timePs(scratch: string, rootfs: string, count: number): Promise<number> {
  const root = join(scratch, 'ps-root');
  const runroot = join(scratch, 'ps-run');
  const engine = await Engine.open({ root, runroot });
  const ids: string[] = [];
  try {
    let next = 0;
    await Promise.all(Array.from({ length: 10 }, async () => {
      while (next++ < count) ids.push((await engine.run({ rootfs, cmd: ['sleep', '10000'], detach: true })).id);
    }));
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) samples.push(await timeCommand([join(repoDir, 'bin', 'isola'), '--root', root, '--runroot', runroot, 'ps', '-a']));
    return summarize(samples).medianMs;
  } finally {
    let next = 0;
    await Promise.all(Array.from({ length: 10 }, async () => {
      while (next < ids.length) await engine.remove(ids[next++]!, { force: true }).catch(() => {});
    }));
    await engine.close();
  }
}

const { values } = parseArgs({ options: { runs: { type: 'string' }, warmup: { type: 'string' }, monitors: { type: 'string' }, ps: { type: 'string' } } });
const runs = parseCount('--runs', values.runs ?? '20', 1);
const warmup = parseCount('--warmup', values.warmup ?? '3', 0);
const monitors = parseCount('--monitors', values.monitors ?? '20', 1);
const rootfs = await ensureHostRootfs();
const scratch = await createScratchDir();
const subjects = [isolaSubject(scratch, rootfs), podmanSubject(scratch, rootfs)];
try {
  const samples = new Map<string, number[]>(subjects.map((s) => [s.name, []]));
  let n = 0;
  // run -d latency: interleaved, each container removed again so counts stay flat.
  for (let round = 0; round < warmup + runs; round++) {
    for (const subject of round % 2 === 0 ? subjects : [...subjects].reverse()) {
      const ms = await timeCommand(subject.runArgv(n++));
      if (round >= warmup) samples.get(subject.name)!.push(ms);
      await subject.removeAll();
    }
  }
  // Memory of idle monitors, with `monitors` containers of each running at once.
  const memory = new Map<string, Awaited<ReturnType<typeof measureMemory>>>();
  for (const subject of subjects) {
    for (let i = 0; i < monitors; i++) await timeCommand(subject.runArgv(n++));
    memory.set(subject.name, await measureMemory(subject));
    await subject.removeAll();
  }
  const [isola, podman] = subjects.map((s) => summarize(samples.get(s.name)!));
  const [isolaMemory, podmanMemory] = subjects.map((s) => memory.get(s.name)!);
  const lines = [
    `run -d, median of ${runs} (p90): isola ${isola!.medianMs.toFixed(1)} ms (${isola!.p90Ms.toFixed(1)}), `
      + `podman ${podman!.medianMs.toFixed(1)} ms (${podman!.p90Ms.toFixed(1)}); isola/podman ${(isola!.medianMs / podman!.medianMs).toFixed(2)}`,
    `idle monitor with ${monitors} running, per container: isola shim RSS ${isolaMemory!.rssKib.toFixed(0)} KiB, PSS ${isolaMemory!.pssKib.toFixed(0)} KiB; `
      + `conmon RSS ${podmanMemory!.rssKib.toFixed(0)} KiB, PSS ${podmanMemory!.pssKib.toFixed(0)} KiB; `
      + `ratios RSS ${(isolaMemory!.rssKib / podmanMemory!.rssKib).toFixed(2)}, PSS ${(isolaMemory!.pssKib / podmanMemory!.pssKib).toFixed(2)}`,
  ];
  if (values.ps !== undefined) {
    const count = parseCount('--ps', values.ps, 1);
    lines.push(`isola ps -a with ${count} containers running: ${(await timePs(scratch, rootfs, count)).toFixed(0)} ms (median of 5)`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  for (const subject of subjects) await subject.removeAll().catch((error: unknown) => log(`cleanup: ${String(error)}`));
  await removeScratchDir(scratch);
}
