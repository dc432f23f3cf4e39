/**
 * The ordinary user rootless tests run as. As root, ensureRootlessUser() creates
 * `isola-rootless` with a fixed subordinate range (200000:65536 in /etc/subuid and
 * /etc/subgid, so newuidmap/newgidmap accept its maps), and runAsUser() runs a
 * command as it with a clean environment, as a login would.
 *
 * The user must be able to reach the repo checkout (bin/isola, node_modules): every
 * directory above it needs o+x. /work is world-readable in CI; a checkout under a
 * 0700 home is not, and ensureRootlessUser() says which directory blocks it.
 */
import { chmod, chown, lstat, mkdir, readFile, rmdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { findCommand } from './requirements.ts';
import { runCommand, type CommandResult } from './run-command.ts';

export interface RootlessUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

export interface RunAsUserOptions {
  /** Added to (and overriding) the clean environment: HOME, USER, LOGNAME, PATH, XDG_RUNTIME_DIR. */
  readonly env?: Readonly<Record<string, string>> | undefined;
  /** @default the user's home */
  readonly cwd?: string | undefined;
  readonly input?: string | Buffer | undefined;
  /** @default 60000 */
  readonly timeoutMs?: number | undefined;
}

export const rootlessUserName = 'isola-rootless';
/** The subordinate range written for the user: first host id and count. */
export const rootlessSubordinateRange = { start: 200000, count: 65536 } as const;
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const lockPath = join(tmpdir(), 'isola-rootless-user.lock');

async function lookUpUser(name: string): Promise<RootlessUser | undefined> {
  const result = await runCommand(['getent', 'passwd', name]);
  if (result.code !== 0) return undefined;
  const [, , uid, gid, , home] = result.stdout.trim().split(':');
  return { name, uid: Number(uid), gid: Number(gid), home: home ?? `/home/${name}` };
}

/** mkdir is atomic, so it serialises test files that run concurrently. */
async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      await mkdir(lockPath, { mode: 0o700 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A lock older than 30 s belongs to a test process that died holding it.
      const info = await stat(lockPath).catch(() => undefined);
      if (info !== undefined && Date.now() - info.mtimeMs > 30_000) await rmdir(lockPath).catch(() => {});
      await sleep(Math.min(50 * attempt, 500));
    }
  }
  try {
    return await fn();
  } finally {
    await rmdir(lockPath);
  }
}

/** Appends `name:start:count` to a subordinate id file unless that exact line is there. */
async function ensureSubordinateLine(file: string, name: string): Promise<void> {
  const line = `${name}:${rootlessSubordinateRange.start}:${rootlessSubordinateRange.count}`;
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
  if (text.split('\n').includes(line)) return;
  const separator = text === '' || text.endsWith('\n') ? '' : '\n';
  await writeFile(file, `${separator}${line}\n`, { flag: 'a', mode: 0o644 });
}

/** Throws naming the first directory on the way to the repo the user cannot search. */
async function checkRepoReachable(user: RootlessUser): Promise<void> {
  const probe = await runAsUser(user, ['test', '-r', join(repoRoot, 'package.json')]);
  if (probe.code === 0) return;
  for (let dir = repoRoot; ; dir = dirname(dir)) {
    const info = await stat(dir);
    if ((info.mode & 0o001) === 0 && info.uid !== user.uid) {
      throw new Error(`rootless tests: ${user.name} cannot enter ${dir} (mode ${(info.mode & 0o777).toString(8)}), ` +
        `which holds the repo ${repoRoot}; run chmod o+x ${dir} or clone the repo under a world-readable path`);
    }
    if (dir === '/') break;
  }
  throw new Error(`rootless tests: ${user.name} cannot read ${repoRoot}/package.json: ${probe.stderr.trim()}`);
}

/**
 * As root: creates the user (useradd -m, shell /bin/sh) and its subordinate ranges
 * if absent, checks it can reach the repo, and resolves to it. Idempotent and safe
 * to call from test files running at the same time.
 */
export async function ensureRootlessUser(): Promise<RootlessUser> {
  const user = await withLock(async () => {
    if ((await lookUpUser(rootlessUserName)) === undefined) {
      // SUB_*_COUNT=0: stop useradd picking its own range; the fixed one is added below.
      const added = await runCommand(['useradd', '-m', '-s', '/bin/sh', '-K', 'SUB_UID_COUNT=0', '-K',
        'SUB_GID_COUNT=0', rootlessUserName], { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
      if (added.code !== 0) throw new Error(`useradd ${rootlessUserName} failed: ${added.stderr.trim()}`);
    }
    await ensureSubordinateLine('/etc/subuid', rootlessUserName);
    await ensureSubordinateLine('/etc/subgid', rootlessUserName);
    return lookUpUser(rootlessUserName);
  });
  if (user === undefined) throw new Error(`${rootlessUserName} is missing right after useradd`);
  await checkRepoReachable(user);
  return user;
}

/** A 0700 directory owned by the user, as systemd-logind's /run/user/UID would be. */
async function ensureRuntimeDir(user: RootlessUser): Promise<string> {
  const dir = join(tmpdir(), `isola-run-${user.uid}`);
  await mkdir(dir, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
  const info = await lstat(dir);
  if (!info.isDirectory()) throw new Error(`${dir} should be the runtime dir of ${user.name} but is not a directory`);
  await chown(dir, user.uid, user.gid);
  await chmod(dir, 0o700);
  return dir;
}

/** Runs argv as `user` (setpriv, or runuser without util-linux's setpriv), with a clean environment. */
export async function runAsUser(user: RootlessUser, argv: readonly string[],
  options: RunAsUserOptions = {}): Promise<CommandResult> {
  const env = {
    HOME: user.home, USER: user.name, LOGNAME: user.name, PATH: '/usr/local/bin:/usr/bin:/bin',
    XDG_RUNTIME_DIR: await ensureRuntimeDir(user), ...options.env,
  };
  const setpriv = findCommand('setpriv');
  const asUser = setpriv === undefined
    ? [findCommand('runuser') ?? 'runuser', '-u', user.name, '--', ...argv]
    : [setpriv, `--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', '--', ...argv];
  return runCommand(asUser, { env, cwd: options.cwd ?? user.home, input: options.input, timeoutMs: options.timeoutMs });
}
