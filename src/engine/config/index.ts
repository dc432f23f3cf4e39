/**
 * engine/config/: the TOML configuration files (defaults for the userns mode,
 * the auto pool and size, ulimits and the pids limit). It parses and checks;
 * the engine applies.
 */
export { ConfigError, mergeEngineConfigs, parseEngineConfig, type EngineConfig } from './engine-config.ts';
export { loadEngineConfig, SYSTEM_CONFIG_FILE } from './load-config.ts';
