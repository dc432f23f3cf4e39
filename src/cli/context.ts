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

/**
 * Credential files: where `login` writes (podman's: $REGISTRY_AUTH_FILE, else
 * $XDG_RUNTIME_DIR/containers/auth.json; without either, undefined: the engine
 * uses <root>/auth.json), then docker's config.json, read too.
 */
export function authFiles(env: Readonly<Record<string, string | undefined>>): { authFile: string | undefined; extraAuthFiles: string[] } {
  const runtime = env['XDG_RUNTIME_DIR'];
  const authFile = env['REGISTRY_AUTH_FILE'] ?? (runtime === undefined || runtime === '' ? undefined : join(runtime, 'containers', 'auth.json'));
  const dockerDir = env['DOCKER_CONFIG'] ?? (env['HOME'] === undefined ? undefined : join(env['HOME'], '.docker'));
  return { authFile, extraAuthFiles: dockerDir === undefined ? [] : [join(dockerDir, 'config.json')] };
}

/** registries.toml: the system's, then, for an ordinary user, its own. */
export function registriesFiles(env: Readonly<Record<string, string | undefined>>, uid: number): string[] {
  return configFiles(env, uid).map((file) => join(file, '..', 'registries.toml'));
}
