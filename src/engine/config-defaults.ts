/**
 * What the configuration file fills in where the caller said nothing: the
 * userns mode and auto size, the pids limit, and default ulimits. A
 * configured ulimit above a hard limit this process cannot raise is lowered
 * to it with a note, while an explicit --ulimit above it stays an error.
 */
import { rlimitResource } from '../security/index.ts';
import { DEFAULT_RLIMITS, parseUsernsMode, type ContainerOptions, type UsernsMode } from '../spec/index.ts';
import type { OciRlimit } from '../runtime/index.ts';
import type { EngineConfig } from './config/index.ts';

export interface ConfiguredRun {
  readonly options: ContainerOptions;
  /** Limits for resources --ulimit does not name, as generateConfig takes them. */
  readonly rlimitDefaults: readonly OciRlimit[];
  /** Things the user should know, e.g. a configured limit that was lowered. */
  readonly notes: readonly string[];
}

export function configuredUserns(mode: UsernsMode | undefined, config: EngineConfig): UsernsMode {
  const chosen = mode ?? (config.userns === undefined ? { kind: 'auto' as const } : parseUsernsMode(config.userns, 'userns (isola.toml)'));
  if (chosen.kind === 'auto' && chosen.size === undefined && config.autoSize !== undefined) return { kind: 'auto', size: config.autoSize };
  return chosen;
}

function configuredRlimits(config: EngineConfig, hardLimits: Readonly<Record<string, number>> | undefined, notes: string[]): OciRlimit[] {
  const byType = new Map(DEFAULT_RLIMITS.map((r) => [r.type, r]));
  for (const ulimit of config.defaultUlimits ?? []) {
    const type = rlimitResource(ulimit.name).type;
    const limit = hardLimits?.[type];
    if (limit !== undefined && ulimit.hard > limit) {
      notes.push(`default ulimit ${ulimit.name} lowered to the host's hard limit ${limit} (isola cannot raise it here)`);
    }
    byType.set(type, { type, soft: ulimit.soft, hard: ulimit.hard });
  }
  return [...byType.values()];
}

export function applyConfigDefaults(
  options: Omit<ContainerOptions, 'userns'> & { readonly userns?: UsernsMode | undefined },
  config: EngineConfig, hardLimits: Readonly<Record<string, number>> | undefined,
): ConfiguredRun {
  const notes: string[] = [];
  const pidsLimit = options.pidsLimit ?? (config.pidsLimit === 0 ? undefined : config.pidsLimit);
  return {
    options: { ...options, userns: configuredUserns(options.userns, config), pidsLimit },
    rlimitDefaults: configuredRlimits(config, hardLimits, notes),
    notes,
  };
}
