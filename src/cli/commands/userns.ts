/**
 * `isola userns ls [--format table|json]`: which host id blocks containers hold
 * (--userns=auto), and how much of the pool is left.
 */
import { InvalidOptionError } from '../../errors/index.ts';
import { Engine, type IdAllocationInfo, type IdAllocationsReport, type IdPoolReport } from '../../engine/index.ts';
import { flagValue, HelpRequest, isHelpToken, parseArgs, type FlagSpec } from '../parse-args.ts';
import type { CliContext } from '../context.ts';
import { formatTable } from '../table.ts';

const LS_FLAGS: readonly FlagSpec[] = [{ name: 'format', takesValue: true, valueName: 'table|json', description: 'output format (default table)' }];

function describeRange(start: number, size: number): string {
  return `${start}-${start + size - 1}`;
}

function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}


function formatPool(pool: IdPoolReport): string {
  const ranges = (list: IdPoolReport['uids']) => list.map((r) => describeRange(r.start, r.size)).join(',') || 'none';
  const [uids, gids] = [ranges(pool.uids), ranges(pool.gids)];
  const where = uids === gids ? uids : `uids ${uids}, gids ${gids}`;
  return `pool: ${where} (${pool.blocks} blocks of ${pool.blockSize}), ${pool.freeBlocks} free`;
}

/** The table, then the pool line. */
export function formatAllocations(report: IdAllocationsReport): string {
  const header = ['CONTAINER', 'HOST UIDS', 'HOST GIDS', 'SIZE', 'SINCE'];
  const rows = report.allocations.map((a: IdAllocationInfo) => [
    a.containerId?.slice(0, 12) ?? '-', describeRange(a.hostUid, a.size), describeRange(a.hostGid, a.size), String(a.size), formatTime(a.sinceMs),
  ]);
  return `${formatTable([header, ...rows])}\n${formatPool(report.pool)}\n`;
}

/** An array with one object per allocation. */
export function formatAllocationsJson(report: IdAllocationsReport): string {
  const entries = report.allocations.map((a) => ({
    container: a.containerId ?? null, hostUid: a.hostUid, hostGid: a.hostGid, size: a.size, since: new Date(a.sinceMs).toISOString(),
  }));
  return `${JSON.stringify(entries, null, 2)}\n`;
}

async function listCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const args = parseArgs(argv, LS_FLAGS);
  if (args.positionals.length > 0) throw new InvalidOptionError('userns ls', 'no arguments', args.positionals.join(' '));
  const format = flagValue(args, 'format') ?? 'table';
  if (format !== 'table' && format !== 'json') throw new InvalidOptionError('--format', 'table or json', format);
  const engine = await Engine.open(context.engineOptions);
  try {
    const report = await engine.listIdAllocations();
    process.stdout.write(format === 'json' ? formatAllocationsJson(report) : formatAllocations(report));
    return 0;
  } finally {
    await engine.close();
  }
}

export async function usernsCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const [subcommand, ...rest] = argv;
  if (isHelpToken(subcommand)) throw new HelpRequest([]);
  if (subcommand === 'ls' || subcommand === 'list') {
    return listCommand(rest, context).catch((error: unknown) => {
      throw error instanceof HelpRequest ? new HelpRequest(error.flags, subcommand) : error;
    });
  }
  throw new InvalidOptionError('isola userns', 'a subcommand: ls', subcommand ?? '', { hint: 'isola userns ls [--format table|json]' });
}
