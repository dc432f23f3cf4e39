/**
 * `import --change`: the Dockerfile instructions docker import applies to the
 * new image's config (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME,
 * WORKDIR), each written `INSTRUCTION args` or, as podman also takes it,
 * `INSTRUCTION=args`. ONBUILD and instructions that build (RUN, COPY, ...)
 * have no meaning for an imported tarball and are refused.
 */
import { posix } from 'node:path';
import { InvalidOptionError } from '../../errors/index.ts';

/** The image config `config` fields a change may set. */
export type ImportRunConfig = {
  Cmd?: string[];
  Entrypoint?: string[];
  Env?: string[];
  ExposedPorts?: Record<string, Record<string, never>>;
  Labels?: Record<string, string>;
  User?: string;
  Volumes?: Record<string, Record<string, never>>;
  WorkingDir?: string;
};

const SUPPORTED = 'CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME or WORKDIR';
const INSTRUCTIONS = new Set(['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'LABEL', 'USER', 'VOLUME', 'WORKDIR']);

function invalid(line: string, expected: string, hint?: string): InvalidOptionError {
  return new InvalidOptionError('--change', expected, line, { hint: hint ?? `for example --change 'CMD ["/bin/sh"]' or --change 'ENV A=1'` });
}

/** A JSON array of strings, or undefined when the text is not JSON-array form. */
function jsonArray(line: string, text: string): string[] | undefined {
  if (!text.startsWith('[')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid(line, 'a JSON array of strings after the instruction (the exec form)');
  }
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) throw invalid(line, 'a JSON array of strings after the instruction');
  return parsed;
}

/**
 * Splits `a=b "c d"=e f='g h'` into words, honouring double and single quotes
 * and backslash escapes (outside single quotes), as Dockerfile key=value lists.
 */
function splitWords(line: string, text: string): string[] {
  const words: string[] = [];
  let word = '';
  let hasWord = false;
  let quote: '"' | '\'' | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quote === undefined && /\s/.test(char)) {
      if (hasWord) words.push(word);
      word = '';
      hasWord = false;
      continue;
    }
    hasWord = true;
    if (char === '\\' && quote !== '\'' && i + 1 < text.length) {
      word += text[++i];
    } else if ((char === '"' || char === '\'') && (quote === undefined || quote === char)) {
      quote = quote === undefined ? char : undefined;
    } else {
      word += char;
    }
  }
  if (quote !== undefined) throw invalid(line, `a closing ${quote}`);
  if (hasWord) words.push(word);
  return words;
}

/** `KEY=VALUE ...`, or the legacy `KEY VALUE` (one pair, the value the rest of the line). */
function keyValues(line: string, instruction: string, text: string): [string, string][] {
  const words = splitWords(line, text);
  if (!words[0]?.includes('=')) {
    const [key, ...rest] = words;
    if (key === undefined || rest.length === 0) throw invalid(line, `${instruction} KEY=VALUE`);
    return [[key, splitWords(line, text.slice(text.indexOf(key) + key.length).trim()).join(' ')]];
  }
  return words.map((word) => {
    const equals = word.indexOf('=');
    if (equals <= 0) throw invalid(line, `${instruction} KEY=VALUE pairs (${JSON.stringify(word)} has no key or no =)`);
    return [word.slice(0, equals), word.slice(equals + 1)];
  });
}

/** `80`, `53/udp` or `8000-8002/tcp`: one `PORT/PROTO` key per port, as docker records a range. */
function exposedPorts(line: string, text: string): string[] {
  const match = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(text);
  const first = Number(match?.[1]);
  const last = match?.[2] === undefined ? first : Number(match[2]);
  if (match === null || first < 1 || last > 65535 || last < first) throw invalid(line, 'EXPOSE PORT[-PORT][/tcp|udp|sctp] ... with ports 1-65535');
  const proto = (match[3] ?? 'tcp').toLowerCase();
  return Array.from({ length: last - first + 1 }, (_, i) => `${first + i}/${proto}`);
}

function applyChange(config: ImportRunConfig, line: string): void {
  const match = /^\s*([A-Za-z]+)(?:\s+|=)([\s\S]*)$/.exec(line);
  const instruction = match?.[1]?.toUpperCase();
  const text = match?.[2]?.trim() ?? '';
  if (instruction === undefined) throw invalid(line, `a Dockerfile instruction (${SUPPORTED}) and its arguments`);
  if (instruction === 'ONBUILD') {
    throw invalid(line, SUPPORTED, 'ONBUILD triggers run in builds FROM this image; isola import does not record them');
  }
  if (!INSTRUCTIONS.has(instruction)) {
    throw invalid(line, `an instruction docker import applies: ${SUPPORTED}`, `${instruction} belongs in a build; import only sets the image config`);
  }
  if (text === '') throw invalid(line, `arguments after ${instruction}`);
  switch (instruction) {
    case 'CMD':
    case 'ENTRYPOINT': {
      // The shell form runs through /bin/sh -c, as in a Dockerfile.
      const argv = jsonArray(line, text) ?? ['/bin/sh', '-c', text];
      if (instruction === 'CMD') config.Cmd = argv;
      else config.Entrypoint = argv;
      return;
    }
    case 'ENV': {
      const env = new Map((config.Env ?? []).map((entry) => [entry.split('=', 1)[0]!, entry]));
      for (const [key, value] of keyValues(line, instruction, text)) env.set(key, `${key}=${value}`);
      config.Env = [...env.values()];
      return;
    }
    case 'LABEL':
      config.Labels = { ...config.Labels, ...Object.fromEntries(keyValues(line, instruction, text)) };
      return;
    case 'EXPOSE':
      config.ExposedPorts = { ...config.ExposedPorts, ...Object.fromEntries(splitWords(line, text).flatMap((port) => exposedPorts(line, port)).map((key) => [key, {}])) };
      return;
    case 'VOLUME': {
      const paths = jsonArray(line, text) ?? splitWords(line, text);
      if (paths.some((path) => !path.startsWith('/'))) throw invalid(line, 'VOLUME with absolute paths');
      config.Volumes = { ...config.Volumes, ...Object.fromEntries(paths.map((path) => [path, {}])) };
      return;
    }
    case 'USER': {
      if (/\s/.test(text) || /^:|:$/.test(text)) throw invalid(line, 'USER NAME[:GROUP] or UID[:GID]');
      config.User = text;
      return;
    }
    case 'WORKDIR':
      // A relative WORKDIR continues from the previous one, as in a Dockerfile.
      config.WorkingDir = posix.resolve(config.WorkingDir ?? '/', splitWords(line, text).join(' '));
      return;
    default:
      throw invalid(line, SUPPORTED);
  }
}

/**
 * The image config fields `--change` lines set, applied in order.
 * @throws InvalidOptionError (option `--change`) naming the line, for an unknown or refused instruction or bad arguments
 */
export function parseImportChanges(lines: readonly string[]): ImportRunConfig {
  const config: ImportRunConfig = {};
  for (const line of lines) applyChange(config, line);
  return config;
}
