/**
 * Where the engine keeps its state and finds its tools. The CLI fills these
 * in from flags and the environment; a library user passes them directly.
 */
import { join } from 'node:path';
import { locateShim } from '../runtime/index.ts';
// Not config/index.ts: that would load the TOML parser on every start.
import { loadEngineConfig, SYSTEM_CONFIG_FILE } from './config/load-config.ts';
import type { EngineConfig } from './config/index.ts';

export interface EngineSettings {
  /** Persistent state: images, layers, containers, the state database. */
  readonly root: string;
  /** Runtime state: per-container run directories. */
  readonly runroot: string;
  /** PATH-style list searched for newuidmap and newgidmap. */
  readonly searchPath: string;
  /** The built C shim. */
  readonly shimPath: string;
  /** Defaults from the configuration files. */
  readonly config: EngineConfig;
  /** Where `login` stores credentials (auth.json). */
  readonly authFile: string;
  /** Credential files read in order (auth.json, ~/.docker/config.json). */
  readonly authFiles: readonly string[];
  /** registries.toml files, later ones overriding. */
  readonly registriesFiles: readonly string[];
  /** See EngineOpenOptions. */
  readonly keepsSpareShim: boolean;
}

export interface EngineOpenOptions {
  readonly root: string;
  readonly runroot: string;
  /** @default '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' */
  readonly searchPath?: string | undefined;
  /** @default the shim built in this package (build/isola-shim) */
  readonly shimPath?: string | undefined;
  /** TOML files read in order, later ones overriding. @default ['/etc/isola/isola.toml'] */
  readonly configFiles?: readonly string[] | undefined;
  /** Where `login` stores credentials. @default `<root>/auth.json` */
  readonly authFile?: string | undefined;
  /** Credential files read in order, after authFile. @default [] */
  readonly extraAuthFiles?: readonly string[] | undefined;
  /** registries.toml files (search and insecure registries). @default ['/etc/isola/registries.toml'] */
  readonly registriesFiles?: readonly string[] | undefined;
  /**
   * After a foreground run, start a shim for the next one ahead of its plan
   * (3.5 ms less per run for a program that runs many; one idle process
   * meanwhile). A command line, which runs one, says false. @default true
   */
  readonly keepsSpareShim?: boolean | undefined;
}

export async function normalizeEngineOptions(options: EngineOpenOptions): Promise<EngineSettings> {
  const [shimPath, config] = await Promise.all([
    options.shimPath ?? locateShim(), loadEngineConfig(options.configFiles ?? [SYSTEM_CONFIG_FILE]),
  ]);
  return {
    root: options.root,
    runroot: options.runroot,
    searchPath: options.searchPath ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    shimPath,
    config,
    authFile: options.authFile ?? join(options.root, 'auth.json'),
    authFiles: [options.authFile ?? join(options.root, 'auth.json'), ...options.extraAuthFiles ?? []],
    registriesFiles: options.registriesFiles ?? ['/etc/isola/registries.toml'],
    keepsSpareShim: options.keepsSpareShim ?? true,
  };
}
