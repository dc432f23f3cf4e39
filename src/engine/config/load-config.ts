/**
 * Reads the configuration files that exist, in order. A missing file is no
 * configuration; an unreadable one is an error (it exists for a reason).
 */
import { readFile } from 'node:fs/promises';
import { mergeEngineConfigs, parseEngineConfig, ConfigError, type EngineConfig } from './engine-config.ts';

export const SYSTEM_CONFIG_FILE = '/etc/isola/isola.toml';

export async function loadEngineConfig(files: readonly string[]): Promise<EngineConfig> {
  const configs = await Promise.all(files.map(async (file) => {
    try {
      return parseEngineConfig(await readFile(file, 'utf8'), file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      if (error instanceof ConfigError) throw error;
      throw new ConfigError(file, `cannot be read: ${(error as Error).message}`, `check the permissions of ${file}`);
    }
  }));
  return mergeEngineConfigs(configs);
}
