/**
 * How an image's config and the user's run options combine, as docker and
 * podman do: the command is Entrypoint + (the user's arguments, else Cmd);
 * `--entrypoint` replaces Entrypoint and drops Cmd; the image's Env comes first
 * and the user's entries win; `-u` and `-w` win over User and WorkingDir. And
 * how many ids an auto range needs for the ids an image's files and users use.
 */
import { InvalidOptionError } from '../errors/index.ts';
import { mergeEnv } from '../spec/index.ts';
import type { ImageConfig } from '../image/index.ts';

export interface ImageRunRequest {
  /** The user's command arguments (after the image reference). */
  readonly args: readonly string[];
  /** `--entrypoint`: replaces the image's; an empty list means none. */
  readonly entrypoint?: readonly string[] | undefined;
  readonly env: readonly string[];
  readonly user?: string | undefined;
  readonly cwd?: string | undefined;
}

export interface ImageRunSettings {
  readonly args: string[];
  readonly env: string[];
  readonly user: string | undefined;
  readonly cwd: string | undefined;
}

/** @throws InvalidOptionError when neither the image nor the user gives a command */
export function mergeImageConfig(config: ImageConfig['config'], request: ImageRunRequest, imageName: string): ImageRunSettings {
  const entrypoint = request.entrypoint ?? config?.Entrypoint ?? [];
  const cmd = request.entrypoint !== undefined ? [] : config?.Cmd ?? [];
  const args = [...entrypoint, ...(request.args.length > 0 ? request.args : cmd)];
  if (args.length === 0) {
    throw new InvalidOptionError('COMMAND', `a command (image ${imageName} has no Entrypoint or Cmd)`, 'nothing',
      { hint: `isola run ${imageName} COMMAND [ARG...]` });
  }
  const user = request.user ?? (config?.User === undefined || config.User === '' ? undefined : config.User);
  const cwd = request.cwd ?? (config?.WorkingDir === undefined || config.WorkingDir === '' ? undefined : config.WorkingDir);
  return { args, env: mergeEnv(config?.Env ?? [], request.env), user, cwd };
}

/** Auto ranges come in blocks of this many ids. */
export const AUTO_BLOCK = 65536;

/**
 * The auto range size an image needs: its highest uid or gid plus one, rounded
 * up to whole blocks, so no file or user of the image is left unmapped.
 */
export function autoSizeForImage(maxId: number): number {
  return Math.max(1, Math.ceil((maxId + 1) / AUTO_BLOCK)) * AUTO_BLOCK;
}
