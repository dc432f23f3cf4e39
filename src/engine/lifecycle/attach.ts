/**
 * `attach`: a connection to a running container's monitor. It carries what
 * the container writes from now on, and, for a container with a terminal,
 * what the caller writes to it. The socket's path can be longer than a unix
 * address may be, so it is reached through /proc/self/fd of its directory.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import { basename, dirname } from 'node:path';
import type { ContainerRecord } from '../state/index.ts';
import { invalidState } from './errors.ts';
import { containerFiles } from './files.ts';

/** @throws ContainerError ISOLA_CONTAINER_INVALID_STATE unless it runs */
export async function attachToContainer(record: ContainerRecord): Promise<Socket> {
  if (record.state !== 'running' && record.state !== 'paused') throw invalidState(record.name, record.state, 'attach to', 'start it first');
  const path = containerFiles(record).attach;
  const dir = await open(dirname(path), constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    return await new Promise<Socket>((resolve, reject) => {
      const socket = createConnection(`/proc/self/fd/${dir.fd}/${basename(path)}`);
      socket.once('connect', () => resolve(socket));
      socket.once('error', reject);
    });
  } finally {
    await dir.close();
  }
}
