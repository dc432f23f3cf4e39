/**
 * The benchmark's results as data (for --json) and as a table, with the
 * start-up targets from the issue checked against the medians. A target
 * whose inputs are missing is 'n/a' with the reason, never a PASS.
 */
import type { Summary } from './timing.ts';

export interface CaseResult extends Summary {
  readonly name: string;
  /** Median over the isola CLI's median; undefined when that is missing. */
  readonly ratioToIsolaCli: number | undefined;
  readonly note?: string | undefined;
}

export interface UnavailableCase {
  readonly name: string;
  readonly reason: string;
}

export interface TargetCheck {
  readonly target: string;
  readonly verdict: 'PASS' | 'MISS' | 'n/a';
  readonly detail: string;
}

/** Names the runner gives its cases; the targets refer to them. */
export const CASE = {
  node: 'node -e 0',
  isolaCli: 'isola run (CLI)',
  isolaApi: 'isola engine.run (API)',
  crun: 'crun run',
  runc: 'runc run',
  bwrap: 'bwrap',
  podman: 'podman run --runtime runc',
} as const;

function check(target: string, left: CaseResult | undefined, right: number | undefined, rightText: string): TargetCheck {
  if (left === undefined || right === undefined) return { target, verdict: 'n/a', detail: 'a needed measurement is missing' };
  const verdict = left.medianMs <= right ? 'PASS' : 'MISS';
  return { target, verdict, detail: `${left.medianMs.toFixed(1)} ms vs ${rightText} = ${right.toFixed(1)} ms` };
}

export function checkTargets(results: readonly CaseResult[]): TargetCheck[] {
  const find = (name: string) => results.find((r) => r.name === name);
  const [cli, api, node, podman, crun] = [find(CASE.isolaCli), find(CASE.isolaApi), find(CASE.node), find(CASE.podman), find(CASE.crun)];
  return [
    check('isola CLI <= 0.3 x podman', cli, podman && 0.3 * podman.medianMs, '0.3 x podman'),
    check('isola CLI <= node -e 0 + 25 ms', cli, node && node.medianMs + 25, 'node -e 0 + 25'),
    check('isola API <= crun CLI', api, crun?.medianMs, 'crun'),
  ];
}

export function formatTable(results: readonly CaseResult[], unavailable: readonly UnavailableCase[], targets: readonly TargetCheck[]): string {
  const width = Math.max(...results.map((r) => r.name.length), ...unavailable.map((u) => u.name.length), 4);
  const lines = [`${'name'.padEnd(width)}  median ms    p90 ms  x isola CLI`];
  for (const r of results) {
    const ratio = r.ratioToIsolaCli === undefined ? '-' : `${r.ratioToIsolaCli.toFixed(2)}`;
    lines.push(`${r.name.padEnd(width)}  ${r.medianMs.toFixed(1).padStart(9)}  ${r.p90Ms.toFixed(1).padStart(8)}  ${ratio.padStart(11)}`
      + (r.note === undefined ? '' : `  (${r.note})`));
  }
  for (const u of unavailable) lines.push(`${u.name.padEnd(width)}  unavailable: ${u.reason}`);
  lines.push('', 'targets (medians):');
  for (const t of targets) lines.push(`  ${t.verdict.padEnd(4)}  ${t.target}: ${t.detail}`);
  return lines.join('\n');
}
