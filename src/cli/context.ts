/**
 * What every command gets from the process it runs in: the environment and
 * directory (read here, and only here), and the engine's locations.
 */
import { join } from 'node:path';
import type { EngineOpenOptions } from '../engine/index.ts';

export interface CliContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly engineOptions: EngineOpenOptions;
}

/**
 * The configuration files: the system's, then, for an ordinary user, its
 * own under $XDG_CONFIG_HOME (default ~/.config).
 */
export function configFiles(env: Readonly<Record<string, string | undefined>>, uid: number): string[] {
  const files = ['/etc/isola/isola.toml'];
  const configHome = env['XDG_CONFIG_HOME'] ?? (env['HOME'] === undefined ? undefined : join(env['HOME'], '.config'));
  if (uid !== 0 && configHome !== undefined) files.push(join(configHome, 'isola', 'isola.toml'));
  return files;
}

/** Root: /var/lib/isola and /run/isola. Rootless: XDG data and runtime dirs. */
export function defaultLocations(env: Readonly<Record<string, string | undefined>>, uid: number): { root: string; runroot: string } {
  if (uid === 0) return { root: '/var/lib/isola', runroot: '/run/isola' };
  const home = env['HOME'] ?? `/tmp/isola-${uid}`;
  const data = env['XDG_DATA_HOME'] ?? join(home, '.local', 'share');
  const runtime = env['XDG_RUNTIME_DIR'] ?? `/tmp/isola-run-${uid}`;
  return { root: join(data, 'isola'), runroot: join(runtime, 'isola') };
}
