/** state, list, ps, pause and resume: output as runc prints it. */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { InvalidOptionError } from '../../errors/index.ts';
import {
  containerProcessIds, containerState, listContainers, pauseContainer, resumeContainer, updateContainer, type OciResources,
} from '../../runtime/index.ts';
import { containerIdArg, flagBoolean, flagString, parseRuntimeArgs, type RuntimeArgs } from './flags.ts';
import { stateOnlyRuntime, type RuntimeCommand } from './context.ts';

function formatFlag(value: string | undefined): 'table' | 'json' {
  const format = value ?? 'table';
  if (format !== 'table' && format !== 'json') throw new InvalidOptionError('--format', 'table or json', format);
  return format;
}

export const stateCommand: RuntimeCommand = async (argv, context) => {
  const args = parseRuntimeArgs(argv, []);
  const state = await containerState(stateOnlyRuntime(context), containerIdArg(args, 'state'));
  process.stdout.write(`${JSON.stringify(state, null, '  ')}\n`);
  return 0;
};

export const listCommand: RuntimeCommand = async (argv, context) => {
  const args = parseRuntimeArgs(argv, [{ name: 'format', aliases: ['f'], takesValue: true }, { name: 'quiet', aliases: ['q'], takesValue: false }]);
  const entries = await listContainers(stateOnlyRuntime(context));
  if (flagBoolean(args, 'quiet')) {
    process.stdout.write(entries.map((e) => `${e.state.id}\n`).join(''));
  } else if (formatFlag(flagString(args, 'format')) === 'json') {
    process.stdout.write(`${JSON.stringify(entries.map((e) => ({ ...e.state, created: e.created, owner: String(e.owner) })))}\n`);
  } else {
    const rows = [['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER'],
      ...entries.map((e) => [e.state.id, String(e.state.pid ?? 0), e.state.status, e.state.bundle, e.created, String(e.owner)])];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    process.stdout.write(rows.map((r) => `${r.map((cell, i) => cell.padEnd(widths[i]!)).join('   ').trimEnd()}\n`).join(''));
  }
  return 0;
};

export const psCommand: RuntimeCommand = async (argv, context) => {
  const args = parseRuntimeArgs(argv, [{ name: 'format', aliases: ['f'], takesValue: true }]);
  const format = formatFlag(flagString(args, 'format'));
  const pids = await containerProcessIds(stateOnlyRuntime(context), containerIdArg(args, 'ps'));
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(pids)}\n`);
    return 0;
  }
  // As runc: the host's `ps` (its arguments after the id, default -ef), filtered to the container's pids.
  const psArgs = args.positionals.length > 1 ? args.positionals.slice(1) : ['-ef'];
  const { stdout } = await promisify(execFile)('ps', psArgs);
  const [header = '', ...lines] = stdout.split('\n');
  const pidColumn = header.trim().split(/\s+/).indexOf('PID');
  const wanted = new Set(pids.map(String));
  process.stdout.write(`${header}\n${lines.filter((line) => wanted.has(line.trim().split(/\s+/)[pidColumn] ?? '')).map((l) => `${l}\n`).join('')}`);
  return 0;
};

export const pauseCommand: RuntimeCommand = async (argv, context) => {
  await pauseContainer(stateOnlyRuntime(context), containerIdArg(parseRuntimeArgs(argv, []), 'pause'));
  return 0;
};

export const resumeCommand: RuntimeCommand = async (argv, context) => {
  await resumeContainer(stateOnlyRuntime(context), containerIdArg(parseRuntimeArgs(argv, []), 'resume'));
  return 0;
};

const UPDATE_FLAGS = [
  { name: 'resources', aliases: ['r'], takesValue: true }, { name: 'pids-limit', takesValue: true },
  { name: 'memory', takesValue: true }, { name: 'memory-swap', takesValue: true },
  { name: 'cpu-quota', takesValue: true }, { name: 'cpu-period', takesValue: true },
] as const;

function numberFlag(args: RuntimeArgs, name: string): number | undefined {
  const text = flagString(args, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new InvalidOptionError(`--${name}`, 'a whole number', text);
  return value;
}

/** update --resources FILE (`-` for stdin, a runtime-spec linux.resources object) or runc's single-limit flags. */
export const updateCommand: RuntimeCommand = async (argv, context) => {
  const args = parseRuntimeArgs(argv, UPDATE_FLAGS);
  const file = flagString(args, 'resources');
  let resources: OciResources;
  if (file !== undefined) {
    const text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
    try {
      resources = JSON.parse(text) as OciResources;
    } catch (error) {
      throw new InvalidOptionError('--resources', 'a file with a linux.resources JSON object', file, { cause: error });
    }
  } else {
    const pids = numberFlag(args, 'pids-limit');
    const memory = numberFlag(args, 'memory');
    const swap = numberFlag(args, 'memory-swap');
    const quota = numberFlag(args, 'cpu-quota');
    const period = numberFlag(args, 'cpu-period');
    resources = {
      ...(pids === undefined ? {} : { pids: { limit: pids } }),
      ...(memory === undefined ? {} : { memory: { limit: memory, ...(swap === undefined ? {} : { swap }) } }),
      ...(quota === undefined ? {} : { cpu: { quota, ...(period === undefined ? {} : { period }) } }),
    };
  }
  await updateContainer(stateOnlyRuntime(context), containerIdArg(args, 'update'), resources);
  return 0;
};

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
