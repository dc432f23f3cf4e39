/**
 * Wall-clock timing of one child process, from spawn to exit, and the
 * summary statistics the report uses. Spawning from Node costs the same for
 * every subject, so it cancels out of the ratios.
 */
import { spawn } from 'node:child_process';

/** Runs argv to completion and resolves to its wall time; rejects with its stderr when it fails. */
export function timeCommand(argv: readonly string[], env?: NodeJS.ProcessEnv): Promise<number> {
  const [file, ...args] = argv;
  if (file === undefined) return Promise.reject(new Error('timeCommand: empty argv'));
  return new Promise((resolve, reject) => {
    const startNs = process.hrtime.bigint();
    let exitNs = startNs;
    const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'], env: env ?? process.env });
    const stderr: Buffer[] = [];
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('exit', () => { exitNs = process.hrtime.bigint(); });
    child.on('error', reject);
    // 'close' waits for stderr to drain, so a failure carries its whole message.
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(Number(exitNs - startNs) / 1e6);
      const text = Buffer.concat(stderr).toString().trim();
      reject(new Error(`${argv.join(' ')} exited with ${signal ?? code}${text === '' ? '' : `: ${text}`}`));
    });
  });
}

/** Times an async action in this process. */
export async function timeCall(action: () => Promise<void>): Promise<number> {
  const startNs = process.hrtime.bigint();
  await action();
  return Number(process.hrtime.bigint() - startNs) / 1e6;
}

export interface Summary {
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly minMs: number;
  readonly runs: number;
}

/** Nearest-rank percentile (p in 0..100) of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}

export function summarize(samplesMs: readonly number[]): Summary {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  // The median of an even count is the mean of the middle two, not a percentile rank.
  const mid = sorted.length >> 1;
  const medianMs = sorted.length % 2 === 1 ? sorted[mid] ?? Number.NaN : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return { medianMs, p90Ms: percentile(sorted, 90), minMs: sorted[0] ?? Number.NaN, runs: sorted.length };
}
