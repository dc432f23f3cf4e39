/**
 * A shim spawned before its plan, for a process that launches container
 * after container (the Engine API in a long-running program). Node's spawn
 * forks this process and waits for the exec: 3.5 ms from a ~100 MB Node
 * (measured here), which the next launch then skips. Only for the common
 * stdio: no stdin, the caller's stdout and stderr, the report socket.
 */
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

let spare: ChildProcess | undefined;

/** The spare shim, now the caller's; undefined when none of this path is ready. */
export function takeSpareShim(shimPath: string): ChildProcess | undefined {
  const child = spare;
  spare = undefined;
  if (child === undefined) return undefined;
  if (child.spawnfile !== shimPath || child.exitCode !== null || child.signalCode !== null) {
    child.kill();
    return undefined;
  }
  child.ref();
  (child.stdio[3] as Socket).ref();
  return child;
}

/**
 * Spawns the next spare unless one is ready. It keeps nothing alive: when
 * this process exits, its report socket closes and the waiting shim exits.
 */
export async function prepareSpareShim(shimPath: string): Promise<void> {
  if (spare !== undefined) return;
  const { spawn } = await import('node:child_process');
  // spawnShim's stdio for a container that does not read stdin.
  const child = spawn(shimPath, [], { stdio: ['ignore', 'inherit', 'inherit', 'pipe'], detached: true });
  const forget = (): void => { if (spare === child) spare = undefined; };
  child.on('error', forget);
  child.on('exit', forget);
  child.unref();
  (child.stdio[3] as Socket).unref();
  spare = child;
}
