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

/** Root: /var/lib/isola and /run/isola. Rootless: XDG data and runtime dirs. */
export function defaultLocations(env: Readonly<Record<string, string | undefined>>, uid: number): { root: string; runroot: string } {
  if (uid === 0) return { root: '/var/lib/isola', runroot: '/run/isola' };
  const home = env['HOME'] ?? `/tmp/isola-${uid}`;
  const data = env['XDG_DATA_HOME'] ?? join(home, '.local', 'share');
  const runtime = env['XDG_RUNTIME_DIR'] ?? `/tmp/isola-run-${uid}`;
  return { root: join(data, 'isola'), runroot: join(runtime, 'isola') };
}
