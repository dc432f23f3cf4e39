/**
 * A containerd of the test's own: root, state and socket under the test's
 * temp dirs, no CRI plugin, and `ctr` bound to it and to one namespace.
 * `stop` ends it and removes the state the runc shim keeps outside those
 * dirs (/run/containerd/runc/<namespace>).
 */
import { spawn } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand, type CommandResult } from '../../helpers/run-command.ts';
import type { TempDirs } from '../../helpers/temp-dirs.ts';
import { waitUntil } from './processes.ts';

export interface PrivateContainerd {
  ctr(args: readonly string[]): Promise<CommandResult>;
  stop(): Promise<void>;
}

export async function startPrivateContainerd(dirs: TempDirs, namespace: string): Promise<PrivateContainerd> {
  const socket = join(dirs.base, 'containerd.sock');
  await writeFile(join(dirs.base, 'config.toml'), `version = 2
root = "${dirs.root}/containerd"
state = "${dirs.runroot}/containerd"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "${socket}"
[ttrpc]
  address = "${socket}.ttrpc"
`);
  const containerd = spawn('containerd', ['--config', join(dirs.base, 'config.toml')], { stdio: 'ignore' });
  const ctr = (args: readonly string[]): Promise<CommandResult> =>
    runCommand(['ctr', '--address', socket, '-n', namespace, ...args], { timeoutMs: 120_000 });
  const stop = async (): Promise<void> => {
    containerd.kill('SIGTERM');
    await new Promise((resolve) => containerd.once('exit', resolve));
    await rm(`/run/containerd/runc/${namespace}`, { recursive: true, force: true });
  };
  try {
    await waitUntil(async () => (await ctr(['version'])).code === 0);
  } catch (error) {
    await stop();
    throw error;
  }
  return { ctr, stop };
}
