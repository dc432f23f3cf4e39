/**
 * The per-container files the engine provides at /etc/hostname, /etc/hosts
 * and /etc/resolv.conf, kept in the container's run directory.
 *
 * Synchronous: these are a few small files on `isola run`'s start-up path,
 * written in microseconds each, where promise calls cost a thread-pool round
 * trip apiece.
 */
import { mkdirSync, readFileSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RuntimeFiles } from '../spec/index.ts';

function hostsFile(hostname: string): string {
  return `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t${hostname}\n`;
}

/** The host's resolvers; a host without /etc/resolv.conf gives an empty file. */
function resolvConf(): string {
  try {
    return readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    return '';
  }
}

const FILE_NAMES = ['hostname', 'hosts', 'resolv.conf'] as const;

function ignoreError(action: () => void): void {
  try {
    action();
  } catch {
    // Already gone, or not ours to remove.
  }
}

/** Removes what writeRuntimeFiles wrote; a missing file is already gone. */
export async function removeRuntimeFiles(dir: string): Promise<void> {
  for (const name of FILE_NAMES) ignoreError(() => unlinkSync(join(dir, name)));
  ignoreError(() => rmdirSync(dir));
}

export async function writeRuntimeFiles(dir: string, hostname: string): Promise<RuntimeFiles> {
  const resolvers = resolvConf();
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const files = { hostname: join(dir, 'hostname'), hosts: join(dir, 'hosts'), resolvConf: join(dir, 'resolv.conf') };
  writeFileSync(files.hostname, `${hostname}\n`, { mode: 0o644 });
  writeFileSync(files.hosts, hostsFile(hostname), { mode: 0o644 });
  writeFileSync(files.resolvConf, resolvers, { mode: 0o644 });
  return files;
}
