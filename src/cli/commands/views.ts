/**
 * Commands that show containers: ps, inspect, logs and top.
 */
import { InvalidOptionError } from '../../errors/index.ts';
import { checkTopDescriptors, DEFAULT_TOP_DESCRIPTORS, Engine, TOP_DESCRIPTORS, type ContainerInfo } from '../../engine/index.ts';
import { flagValue, flagValues, isFlagSet, parseArgs, type FlagSpec } from '../parse-args.ts';
import { formatAge, formatTable } from '../table.ts';
import type { CliContext } from '../context.ts';

const PS_FLAGS: readonly FlagSpec[] = [
  { name: 'all', short: 'a', takesValue: false, description: 'also containers that do not run' },
  { name: 'quiet', short: 'q', takesValue: false, description: 'print only the ids' },
  { name: 'filter', short: 'f', takesValue: true, isRepeatable: true, valueName: 'KEY=VALUE', description: 'name=REGEX, status=created|running|paused|exited, id=PREFIX or ancestor=IMAGE' },
  { name: 'format', takesValue: true, valueName: 'table|json', description: 'output format (default table)' },
  { name: 'no-trunc', takesValue: false, description: 'do not shorten ids and commands' },
];

async function withEngine<T>(context: CliContext, fn: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await Engine.open(context.engineOptions);
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

/** podman's words: created, running, paused, exited. */
function statusName(info: ContainerInfo): string {
  return info.state === 'stopped' ? 'exited' : info.state;
}

function statusText(info: ContainerInfo, nowMs: number): string {
  if (info.state === 'running') return `Up ${formatAge(nowMs - (info.startedMs ?? nowMs))}`;
  if (info.state === 'paused') return 'Paused';
  if (info.state === 'stopped') {
    const code = info.exitCode === undefined ? 'unknown' : String(info.exitCode);
    return `Exited (${code}) ${formatAge(nowMs - (info.finishedMs ?? nowMs))} ago`;
  }
  return info.state === 'created' ? 'Created' : info.state;
}

type Filter = (info: ContainerInfo) => boolean;

const FILTER_KEYS = 'name=, status=, id= or ancestor=';

/**
 * docker's ancestor=IMAGE: a name (busybox, busybox:1.36, a full reference) or
 * an id prefix, resolved as `run` resolves it; a container whose image has
 * since lost that name still matches by the name it was created from.
 */
async function ancestorFilter(engine: Engine, value: string): Promise<Filter> {
  const image = await (await engine.images()).find(value).catch(() => undefined);
  const idPrefix = /^(sha256:)?[0-9a-f]{3,64}$/.test(value) ? value.replace(/^sha256:/, '') : undefined;
  return (info) => info.image !== undefined && (info.image.id === image?.id || info.image.name === value
    || (idPrefix !== undefined && info.image.id.replace(/^sha256:/, '').startsWith(idPrefix)));
}

async function parseFilter(engine: Engine, text: string): Promise<Filter> {
  const eq = text.indexOf('=');
  const [key, value] = [text.slice(0, eq), text.slice(eq + 1)];
  if (eq === -1 || value === '') throw new InvalidOptionError('--filter', `${FILTER_KEYS} with a value`, text);
  if (key === 'ancestor') return ancestorFilter(engine, value);
  if (key === 'name') {
    const pattern = new RegExp(value);
    return (info) => pattern.test(info.name);
  }
  if (key === 'id') return (info) => info.id.startsWith(value);
  if (key === 'status') {
    if (!['created', 'running', 'paused', 'exited'].includes(value)) throw new InvalidOptionError('--filter status', 'created, running, paused or exited', value);
    return (info) => statusName(info) === value;
  }
  throw new InvalidOptionError('--filter', FILTER_KEYS, text);
}

/** podman's IMAGE column: the image's name, else (as for its --rootfs) the root filesystem given. */
function imageText(info: ContainerInfo): string {
  if (info.image !== undefined) return info.image.name;
  return info.options.run.rootfsLayers === undefined ? info.rootfs : 'layers';
}

function psJson(info: ContainerInfo): unknown {
  return {
    Id: info.id, Names: [info.name], Image: imageText(info), ImageID: info.image?.id ?? '', Rootfs: info.rootfs, Command: info.command, State: statusName(info),
    Created: new Date(info.createdMs).toISOString(), StartedAt: info.startedMs === undefined ? null : new Date(info.startedMs).toISOString(),
    ExitCode: info.exitCode ?? null, Pid: info.pid ?? 0, HostUids: info.hostUids, HostGids: info.hostGids,
  };
}

export async function psCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const args = parseArgs(argv, PS_FLAGS);
  const format = flagValue(args, 'format') ?? 'table';
  if (format !== 'table' && format !== 'json') throw new InvalidOptionError('--format', 'table or json', format);
  const infos = await withEngine(context, async (engine) => {
    const filters = await Promise.all(flagValues(args, 'filter').map((text) => parseFilter(engine, text)));
    // A status filter asks about stopped containers too, as podman reads it.
    const all = isFlagSet(args, 'all') || filters.length > 0;
    return (await engine.ps({ all })).filter((info) => filters.every((f) => f(info)));
  });
  if (isFlagSet(args, 'quiet')) {
    process.stdout.write(infos.map((i) => `${i.id.slice(0, 12)}\n`).join(''));
  } else if (format === 'json') {
    process.stdout.write(`${JSON.stringify(infos.map(psJson), null, 2)}\n`);
  } else {
    const now = Date.now();
    const isFull = isFlagSet(args, 'no-trunc');
    const rows = infos.map((i) => [
      isFull ? i.id : i.id.slice(0, 12), imageText(i), i.command.join(' ').slice(0, isFull ? undefined : 30),
      `${formatAge(now - i.createdMs)} ago`, statusText(i, now), `${i.hostUids[0]?.start ?? '-'}`, i.name,
    ]);
    process.stdout.write(`${formatTable([['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'HOST UID', 'NAMES'], ...rows])}\n`);
  }
  return 0;
}

const INSPECT_FLAGS: readonly FlagSpec[] = [{ name: 'format', short: 'f', takesValue: true, valueName: 'FORMAT', description: 'accepted for docker\'s sake; the output is JSON' }];

export async function inspectCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const args = parseArgs(argv, INSPECT_FLAGS);
  if (args.positionals.length === 0) throw new InvalidOptionError('isola inspect', 'a container name or id', 'nothing');
  const infos = await withEngine(context, (engine) => Promise.all(args.positionals.map((ref) => engine.inspect(ref))));
  const shown = infos.map((info) => ({
    ...info, state: statusName(info), created: new Date(info.createdMs).toISOString(),
    startedAt: info.startedMs === undefined ? null : new Date(info.startedMs).toISOString(),
    finishedAt: info.finishedMs === undefined ? null : new Date(info.finishedMs).toISOString(),
    exitCode: info.exitCode ?? null,
  }));
  process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
  return 0;
}

const LOGS_FLAGS: readonly FlagSpec[] = [
  { name: 'follow', short: 'f', takesValue: false, description: 'keep printing what the container writes until it exits' },
  { name: 'tail', takesValue: true, valueName: 'N', description: 'only the last N lines' },
  { name: 'since', takesValue: true, valueName: 'TIME', description: 'only lines since a time (RFC 3339) or a duration ago (10s, 5m, 2h)' },
  { name: 'timestamps', short: 't', takesValue: false, description: 'show each line\'s time' },
];

/** An RFC 3339 time, or a duration ago (10s, 5m, 2h). */
function parseSince(text: string, nowMs: number): number {
  const duration = /^(\d+)(s|m|h)$/.exec(text);
  if (duration !== null) return nowMs - Number(duration[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[duration[2] as 's' | 'm' | 'h'];
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new InvalidOptionError('--since', 'a time (2026-01-02T15:04:05Z) or a duration (10s, 5m, 2h)', text);
  return ms;
}

export async function logsCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const args = parseArgs(argv, LOGS_FLAGS);
  const [ref, ...rest] = args.positionals;
  if (ref === undefined || rest.length > 0) throw new InvalidOptionError('isola logs', 'one container name or id', args.positionals.join(' '));
  const tailText = flagValue(args, 'tail');
  if (tailText !== undefined && !/^\d+$/.test(tailText)) throw new InvalidOptionError('--tail', 'a number of lines', tailText);
  const sinceText = flagValue(args, 'since');
  const withTime = isFlagSet(args, 'timestamps');
  await withEngine(context, async (engine) => {
    for await (const line of engine.logs(ref, {
      follow: isFlagSet(args, 'follow'), tail: tailText === undefined ? undefined : Number(tailText),
      sinceMs: sinceText === undefined ? undefined : parseSince(sinceText, Date.now()),
    })) {
      const text = withTime ? `${line.timestamp} ${line.text}\n` : `${line.text}\n`;
      (line.stream === 'stderr' ? process.stderr : process.stdout).write(text);
    }
  });
  return 0;
}

export async function topCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const args = parseArgs(argv, []);
  const [ref, ...descriptorArgs] = args.positionals;
  if (ref === undefined) throw new InvalidOptionError('isola top', 'a container name or id', 'nothing');
  const descriptors = descriptorArgs.length === 0 ? DEFAULT_TOP_DESCRIPTORS
    : checkTopDescriptors(descriptorArgs.flatMap((d) => d.split(',')).filter((d) => d !== ''));
  const rows = await withEngine(context, (engine) => engine.top(ref, descriptors));
  process.stdout.write(`${formatTable([descriptors.map((d) => TOP_DESCRIPTORS[d]), ...rows])}\n`);
  return 0;
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

const STATS_FLAGS: readonly FlagSpec[] = [
  { name: 'no-stream', takesValue: false, description: 'print once instead of every second' },
  { name: 'format', takesValue: true, valueName: 'table|json', description: 'output format (default table)' },
];

/** `isola stats [--no-stream] [--format table|json] [NAME...]`: once a second until interrupted, or once. */
export async function statsCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const args = parseArgs(argv, STATS_FLAGS);
  const format = flagValue(args, 'format') ?? 'table';
  if (format !== 'table' && format !== 'json') throw new InvalidOptionError('--format', 'table or json', format);
  const isOnce = isFlagSet(args, 'no-stream');
  await withEngine(context, async (engine) => {
    for (;;) {
      const stats = await engine.stats(args.positionals);
      if (format === 'json') {
        process.stdout.write(`${JSON.stringify(stats, null, 2)}\n`);
      } else {
        const rows = stats.map((s) => [s.id.slice(0, 12), s.name, `${s.cpuPercent.toFixed(2)}%`, `${s.cpuSec.toFixed(2)}s`, formatBytes(s.memoryBytes), String(s.pids)]);
        process.stdout.write(`${formatTable([['ID', 'NAME', 'CPU %', 'CPU TIME', 'MEM USAGE', 'PIDS'], ...rows])}\n`);
      }
      if (isOnce) return;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  });
  return 0;
}
