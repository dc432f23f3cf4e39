/**
 * Which registries short names are looked up in, and which registries speak
 * plain HTTP or have certificates not to verify: podman's registries.conf (v2)
 * keys, in `/etc/isola/registries.toml` then the user's own file.
 *
 * ```toml
 * unqualified-search-registries = ["docker.io", "quay.io"]
 *
 * [[registry]]
 * location = "localhost:5000"
 * insecure = true            # plain HTTP or unverified TLS
 * ```
 */
import { readFile } from 'node:fs/promises';
import { ImageError } from './errors.ts';
import { DEFAULT_REGISTRY } from './reference.ts';

export interface RegistriesConfig {
  /** Registries tried, in order, for a short name. */
  readonly searchRegistries: readonly string[];
  /** Registries reached over plain HTTP (or TLS without verification). */
  readonly insecureRegistries: readonly string[];
}

export const DEFAULT_REGISTRIES_CONFIG: RegistriesConfig = { searchRegistries: [DEFAULT_REGISTRY], insecureRegistries: [] };

function configError(file: string, why: string): ImageError {
  return new ImageError('ISOLA_REGISTRY_CONFIG_INVALID', `${file}: ${why}`, file, { hint: `fix or remove the setting in ${file}` });
}

function stringList(file: string, key: string, value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v !== '')) {
    throw configError(file, `${key} must be a list of registry host names`);
  }
  return value as string[];
}

function parseRegistryTable(file: string, entry: unknown): { location: string; isInsecure: boolean } {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw configError(file, '[[registry]] entries must be tables');
  const { location, insecure, ...rest } = entry as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw configError(file, `unknown key registry.${unknown} (isola reads location and insecure)`);
  if (typeof location !== 'string' || location === '') throw configError(file, 'registry.location must be a host name such as localhost:5000');
  if (insecure !== undefined && typeof insecure !== 'boolean') throw configError(file, 'registry.insecure must be true or false');
  return { location, isInsecure: insecure === true };
}

/** Later texts override earlier ones key by key. @throws ImageError ISOLA_REGISTRY_CONFIG_INVALID */
export async function parseRegistriesConfig(files: readonly { readonly file: string; readonly text: string }[]): Promise<RegistriesConfig> {
  const { parse } = await import('smol-toml');
  let searchRegistries = DEFAULT_REGISTRIES_CONFIG.searchRegistries;
  const insecure = new Map<string, boolean>();
  for (const { file, text } of files) {
    let table: Record<string, unknown>;
    try {
      table = parse(text) as Record<string, unknown>;
    } catch (error) {
      throw configError(file, `not valid TOML: ${(error as Error).message.split('\n')[0]}`);
    }
    for (const [key, value] of Object.entries(table)) {
      if (key === 'unqualified-search-registries') searchRegistries = stringList(file, key, value);
      else if (key === 'registry') {
        if (!Array.isArray(value)) throw configError(file, 'registry must be an array of tables ([[registry]])');
        for (const entry of value) {
          const { location, isInsecure } = parseRegistryTable(file, entry);
          insecure.set(location, isInsecure);
        }
      } else throw configError(file, `unknown key ${key} (isola reads unqualified-search-registries and [[registry]])`);
    }
  }
  return { searchRegistries, insecureRegistries: [...insecure].filter(([, isInsecure]) => isInsecure).map(([location]) => location) };
}

/** Reads the files that exist, in order. */
export async function loadRegistriesConfig(files: readonly string[]): Promise<RegistriesConfig> {
  const texts = await Promise.all(files.map(async (file) => {
    try {
      return { file, text: await readFile(file, 'utf8') };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw configError(file, `cannot read: ${(error as Error).message}`);
    }
  }));
  const present = texts.filter((t) => t !== undefined);
  return present.length === 0 ? DEFAULT_REGISTRIES_CONFIG : parseRegistriesConfig(present);
}

/** True when the registry is configured insecure; a `host` entry also covers `host:port`. */
export function isInsecureRegistry(config: RegistriesConfig, registry: string): boolean {
  return config.insecureRegistries.some((entry) => entry === registry || entry === registry.replace(/:\d+$/, ''));
}
