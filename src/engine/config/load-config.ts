/**
 * Reads the configuration files that exist, in order. A missing file is no
 * configuration; an unreadable one is an error (it exists for a reason).
 */
import { readFileSync } from 'node:fs';
import type { EngineConfig } from './engine-config.ts';

export const SYSTEM_CONFIG_FILE = '/etc/isola/isola.toml';

export async function loadEngineConfig(files: readonly string[]): Promise<EngineConfig> {
  // Synchronous: every start reads these (most hosts have none), and a
  // missing file answers in microseconds where a promise read costs a
  // thread-pool round trip.
  const texts = files.map((file) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      return new Error((error as Error).message);
    }
  });
  if (texts.every((text) => text === undefined)) return {};
  // The TOML parser loads only when there is a file to parse: most hosts have none.
  const { ConfigError, mergeEngineConfigs, parseEngineConfig } = await import('./engine-config.ts');
  return mergeEngineConfigs(texts.map((text, i) => {
    const file = files[i]!;
    if (text instanceof Error) throw new ConfigError(file, `cannot be read: ${text.message}`, `check the permissions of ${file}`);
    return text === undefined ? {} : parseEngineConfig(text, file);
  }));
}
