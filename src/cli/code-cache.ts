/**
 * Start-up from V8's code cache. `isola` and `isola-runtime` are each one
 * CommonJS bundle (scripts/build.ts). V8 compiles a function when it is first
 * called, which is most of a cold `isola run`'s work; a code cache holds the
 * compiled functions, so the next run deserializes them instead.
 *
 * Node's own compile cache (module.enableCompileCache) holds only what was
 * compiled before a module's top level returned; so this cache is made here,
 * at exit, and holds every function the run used (measured on `isola run`:
 * 66 ms of CPU against 73 ms with Node's cache and 70 ms with all functions
 * compiled ahead, whose cache is three times as large to deserialize). Each
 * command has its own, written by its first run that succeeds: a cache that
 * held every command's functions would make each command deserialize them all
 * (0.8 MB after the test suite, 2 ms more for `isola run` than its own 0.46 MB).
 *
 * The cache is this user's: beside the bundle when the user owns it, else
 * under $XDG_CACHE_HOME (bytecode runs as code, so a cache must never come
 * from a directory another user can write). V8 refuses a cache of another
 * source length, V8 version or flags; its name carries the bundle's size,
 * modification time and inode, so a rebuilt bundle never reads an old cache.
 */
import {
  closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, type Stats,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

/** The directory holding this user's caches for a bundle, or undefined when there is none to use. */
export function cacheDirFor(bundlePath: string, env: NodeJS.ProcessEnv, uid: number): string | undefined {
  const bundleDir = dirname(bundlePath);
  if (statSync(bundleDir).uid === uid) return join(bundleDir, 'code-cache');
  const base = env['XDG_CACHE_HOME'] ?? (env['HOME'] === undefined ? undefined : join(env['HOME'], '.cache'));
  return base === undefined ? undefined : join(base, 'isola', 'code-cache');
}

/** The cache file of one command for one build of a bundle. */
export function cacheFileOf(dir: string, bundlePath: string, bundle: Stats, command: string): string {
  return join(dir, `${buildPrefixOf(bundlePath, bundle)}${command}.cache`);
}

/** What every cache file of one build of a bundle starts with. */
function buildPrefixOf(bundlePath: string, bundle: Stats): string {
  return `${basename(bundlePath)}-${bundle.size}-${Math.trunc(bundle.mtimeMs)}-${bundle.ino}.`;
}

/**
 * The global flags of isola and isola-runtime whose value may be the next
 * word: containerd calls `--log-format json create`, where `json` is not the
 * command. Both command lines' GLOBAL_FLAGS; code-cache.test.ts checks they agree.
 */
export const GLOBAL_VALUE_FLAGS: ReadonlySet<string> = new Set(['root', 'runroot', 'log', 'log-format', 'cgroup-manager', 'rootless', 'criu']);

/** What a command line is, for training: its first plain word (`run`, `ps`, `create`) that is no flag's value. */
export function commandKeyOf(argv: readonly string[]): string {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (/^[a-z][a-z-]*$/.test(arg)) return arg;
    // runc's flags come with one dash or two; `--name=value` holds its own value.
    if (GLOBAL_VALUE_FLAGS.has(arg.replace(/^--?/, ''))) i++;
  }
  return 'none';
}


/**
 * The cache's bytes, when this user wrote them: bytecode runs as code, so a
 * file another user owns or may write (a shared XDG_CACHE_HOME) is ignored.
 */
export function readCache(file: string | undefined, uid: number): Buffer | undefined {
  if (file === undefined) return undefined;
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined; // not trained yet
  }
  try {
    const { uid: owner, mode } = fstatSync(fd);
    return owner === uid && (mode & 0o022) === 0 ? readFileSync(fd) : undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes the cache where no reader sees it half-written, and removes the
 * caches of earlier builds of the bundle.
 */
function writeCache(dir: string, file: string, script: Script): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const temporary = `${file}.${process.pid}`;
    writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
    renameSync(temporary, file);
    const build = basename(file).replace(/[^.]+\.cache$/, '');
    const bundleName = build.replace(/-\d+-\d+-\d+\.$/, '-');
    for (const name of readdirSync(dir)) {
      if (name.startsWith(bundleName) && !name.startsWith(build)) rmSync(join(dir, name), { force: true });
    }
  } catch {
    // A cache is an optimisation: a read-only or full disk only costs speed.
  }
}

/**
 * Runs a bundle as the main module, from this user's code cache, training the
 * cache at exit. `bundleRequire` resolves from the bundle's directory.
 */
export function runBundle(bundlePath: string, bundleRequire: NodeJS.Require): void {
  const bundle = statSync(bundlePath);
  const uid = process.geteuid?.() ?? -1;
  const dir = cacheDirFor(bundlePath, process.env, uid);
  const file = dir === undefined ? undefined : cacheFileOf(dir, bundlePath, bundle, commandKeyOf(process.argv.slice(2)));
  const cachedData = readCache(file, uid);
  // The bundle is one function expression, the CommonJS module wrapper
  // (scripts/build.ts), and ASCII (esbuild escapes the rest): latin1 reads it
  // without UTF-8 decoding.
  const script = new Script(readFileSync(bundlePath, 'latin1'), { filename: bundlePath, cachedData });
  if (dir !== undefined && file !== undefined && (cachedData === undefined || script.cachedDataRejected === true)) {
    // Only a run that succeeded: a failed one stops early and compiles little.
    process.once('exit', (code) => { if (code === 0) writeCache(dir, file, script); });
    // A run that hands its pid to the shim (launch/exec-shim.ts) has no exit: it trains before the exec.
    (globalThis as Record<symbol, unknown>)[Symbol.for('isola.beforeExec')] = () => writeCache(dir, file, script);
  }
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  const module = { exports: {}, filename: bundlePath };
  wrapper(module.exports, bundleRequire, module, bundlePath, dirname(bundlePath));
}
