/**
 * Reads the configuration files that exist, in order. A missing file is no
 * configuration; an unreadable one is an error (it exists for a reason).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mergeEngineConfigs, parseEngineConfig, ConfigError, type EngineConfig } from './engine-config.ts';

export const SYSTEM_CONFIG_FILE = '/etc/isola/isola.toml';

/** The files that configure a user: the system's, then (rootless) the user's own. */
export function configFilesFor(options: { readonly isRoot: boolean; readonly configHome: string | undefined }): string[] {
  const files = [SYSTEM_CONFIG_FILE];
  if (!options.isRoot && options.configHome !== undefined) files.push(join(options.configHome, 'isola', 'isola.toml'));
  return files;
}

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
