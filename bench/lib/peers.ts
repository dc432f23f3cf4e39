/**
 * The peer tools the benchmark compares against. A missing one is installed
 * with apt-get (the benchmark runs as root); one that still cannot be found is reported
 * with the reason, so a table without it never looks complete by accident.
 */
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const searchDirs = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export interface PeerTool {
  /** The binary looked up on the search path. */
  readonly binary: string;
  /** The Debian package that provides it. */
  readonly aptPackage: string;
}

export const PEER_TOOLS: readonly PeerTool[] = [
  { binary: 'crun', aptPackage: 'crun' },
  { binary: 'runc', aptPackage: 'runc' },
  { binary: 'bwrap', aptPackage: 'bubblewrap' },
  { binary: 'podman', aptPackage: 'podman' },
  { binary: 'newuidmap', aptPackage: 'uidmap' },
  { binary: 'unshare', aptPackage: 'util-linux' },
];

export type PeerStatus =
  | { readonly binary: string; readonly isAvailable: true; readonly path: string; readonly version: string }
  | { readonly binary: string; readonly isAvailable: false; readonly reason: string };

async function findOnPath(binary: string): Promise<string | undefined> {
  for (const dir of searchDirs) {
    const path = join(dir, binary);
    if (await access(path, constants.X_OK).then(() => true, () => false)) return path;
  }
  return undefined;
}

/** First line of `binary --version`; util-linux and shadow tools differ, so failures only blank it. */
async function readVersion(path: string): Promise<string> {
  const { stdout, stderr } = await run(path, ['--version']).catch((error: { stdout?: string; stderr?: string }) => ({
    stdout: error.stdout ?? '', stderr: error.stderr ?? '',
  }));
  const line = (stdout || stderr).split('\n')[0]?.trim() ?? '';
  // newuidmap has no --version and answers with its usage.
  return line.startsWith('usage') ? path : line;
}

/** apt-get install; on a combined failure, package by package, so one bad package does not block the rest. */
async function installPackages(packages: readonly string[], log: (line: string) => void): Promise<Map<string, string>> {
  const failures = new Map<string, string>();
  if (packages.length === 0) return failures;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = (names: readonly string[]) =>
    run('apt-get', ['install', '-y', '--no-install-recommends', ...names], { env, maxBuffer: 64 << 20 });
  log(`installing ${packages.join(' ')} with apt-get`);
  try {
    await install(packages);
    return failures;
  } catch {
    // The package lists may be missing (fresh image): refresh once, then retry one by one.
    await run('apt-get', ['update'], { env, maxBuffer: 64 << 20 }).catch(() => undefined);
  }
  for (const name of packages) {
    await install([name]).catch((error: { stderr?: string }) => {
      failures.set(name, (error.stderr ?? String(error)).trim().split('\n').at(-1) ?? 'apt-get failed');
    });
  }
  return failures;
}

/** Looks every peer up, installing the missing ones. */
export async function ensurePeerTools(log: (line: string) => void): Promise<Map<string, PeerStatus>> {
  const missing = [];
  for (const tool of PEER_TOOLS) if ((await findOnPath(tool.binary)) === undefined) missing.push(tool);
  const failures = await installPackages(missing.map((t) => t.aptPackage), log);
  const statuses = new Map<string, PeerStatus>();
  for (const tool of PEER_TOOLS) {
    const path = await findOnPath(tool.binary);
    if (path !== undefined) {
      statuses.set(tool.binary, { binary: tool.binary, isAvailable: true, path, version: await readVersion(path) });
      continue;
    }
    const reason = `apt-get install ${tool.aptPackage} failed: ${failures.get(tool.aptPackage) ?? `no ${tool.binary} afterwards`}`;
    statuses.set(tool.binary, { binary: tool.binary, isAvailable: false, reason });
  }
  return statuses;
}
