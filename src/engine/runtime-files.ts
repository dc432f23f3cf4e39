/**
 * The per-container files the engine provides at /etc/hostname, /etc/hosts
 * and /etc/resolv.conf, kept in the container's run directory.
 */
import { mkdir, readFile, rmdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RuntimeFiles } from '../spec/index.ts';

function hostsFile(hostname: string): string {
  return `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t${hostname}\n`;
}

/** The host's resolvers; a host without /etc/resolv.conf gives an empty file. */
async function resolvConf(): Promise<string> {
  try {
    return await readFile('/etc/resolv.conf', 'utf8');
  } catch {
    return '';
  }
}

const FILE_NAMES = ['hostname', 'hosts', 'resolv.conf'] as const;

/** Removes what writeRuntimeFiles wrote; a missing file is already gone. */
export async function removeRuntimeFiles(dir: string): Promise<void> {
  await Promise.all(FILE_NAMES.map((name) => unlink(join(dir, name)).catch(() => {})));
  await rmdir(dir).catch(() => {});
}

export async function writeRuntimeFiles(dir: string, hostname: string): Promise<RuntimeFiles> {
  const [resolvers] = await Promise.all([resolvConf(), mkdir(dir, { recursive: true, mode: 0o755 })]);
  const files = { hostname: join(dir, 'hostname'), hosts: join(dir, 'hosts'), resolvConf: join(dir, 'resolv.conf') };
  await Promise.all([
    writeFile(files.hostname, `${hostname}\n`, { mode: 0o644 }),
    writeFile(files.hosts, hostsFile(hostname), { mode: 0o644 }),
    writeFile(files.resolvConf, resolvers, { mode: 0o644 }),
  ]);
  return files;
}
