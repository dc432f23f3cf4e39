/**
 * `isola run`: from the user's options to a running container and, after it
 * exits, no trace of it. Each step that creates something has its undo in
 * `finally` or on the failure path.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { generateConfig, resolveUser, type ContainerOptions } from '../spec/index.ts';
import { readHostContext, runContainer, type OciConfig } from '../runtime/index.ts';
import type { ExitStatus } from '../launch/index.ts';
import { idMapsForMode } from './id-maps-for-mode.ts';
import { writeRuntimeFiles } from './runtime-files.ts';
import { readBindingHardLimits } from './host-limits.ts';
import type { EngineSettings } from './settings.ts';

export interface RunOptions extends ContainerOptions {
  /** The caller's terminal size, for a container with a terminal. */
  readonly consoleSize?: { readonly rows: number; readonly cols: number } | undefined;
  /** Put the caller's terminal in raw mode while relaying the container's. */
  readonly isHostTerminalRaw?: boolean | undefined;
}

export interface RunningContainer {
  readonly id: string;
  /** Host pid of the container's first process. */
  readonly pid: number;
  readonly exited: Promise<ExitStatus>;
  signal(signal: NodeJS.Signals): void;
}

function withConsoleSize(config: OciConfig, size: RunOptions['consoleSize']): OciConfig {
  if (size === undefined || config.process === undefined) return config;
  return { ...config, process: { ...config.process, consoleSize: { height: size.rows, width: size.cols } } };
}

export async function runContainerFromOptions(settings: EngineSettings, options: RunOptions): Promise<RunningContainer> {
  const id = randomBytes(32).toString('hex');
  const host = await readHostContext(settings.searchPath);
  const idMaps = idMapsForMode(options.userns, host);
  const user = await resolveUser(options.rootfs, options.user);
  const dir = join(settings.runroot, 'containers', id);
  try {
    const runtimeFiles = await writeRuntimeFiles(dir, options.hostname ?? id.slice(0, 12));
    const hostHardLimits = await readBindingHardLimits();
    const config = withConsoleSize(generateConfig({ options, user, idMaps, runtimeFiles, hostHardLimits }), options.consoleSize);
    const launched = await runContainer(config, {
      host, bundle: dir, shimPath: settings.shimPath, isInteractive: options.isInteractive,
      isHostTerminalRaw: options.isHostTerminalRaw === true,
    });
    // TODO(#5): a detached container keeps its directory until `isola rm`.
    const exited = launched.exited.finally(() => rm(dir, { recursive: true, force: true }));
    return { id, pid: launched.pid, exited, signal: (signal) => launched.signal(signal) };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
