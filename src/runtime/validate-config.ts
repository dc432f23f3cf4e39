/**
 * Strict reading of a config.json for the runtime: the shape of every
 * runtime-spec 1.3 field (config-fields.ts), then the rules the schema cannot
 * say (absolute paths, known capability and rlimit names, no duplicate
 * namespaces or rlimits, a UTS namespace for a hostname). The first problem
 * is a ConfigError naming the JSON path and the fix; fields isola records
 * without applying, and unknown properties (which the spec says to ignore),
 * come back as notices for the log.
 */
import { CAPABILITY_NAMES, ULIMIT_RESOURCES } from '../security/index.ts';
import type { OciConfig } from './oci-config.ts';
import { checkValue } from './config-shape.ts';
import { CONFIG_SHAPE } from './config-fields.ts';
import { ConfigError, invalidField } from './config-error.ts';

export interface ValidatedConfig {
  readonly config: OciConfig;
  /** Things ignored or recorded without effect, one sentence each, for the log. */
  readonly notices: readonly string[];
}

const KNOWN_CAPABILITIES: ReadonlySet<string> = new Set(CAPABILITY_NAMES);
const KNOWN_RLIMITS: ReadonlySet<string> = new Set(Object.values(ULIMIT_RESOURCES).map((r) => r.type));

function checkAbsolute(path: string | undefined, field: string): void {
  if (path !== undefined && !path.startsWith('/')) throw invalidField(field, `${JSON.stringify(path)} is not an absolute path`, 'start it with /');
}

function checkProcess(config: OciConfig): void {
  const process = config.process;
  if (process === undefined) return;
  checkAbsolute(process.cwd, 'process.cwd');
  (process.env ?? []).forEach((entry, i) => {
    if (!entry.includes('=')) throw invalidField(`process.env[${i}]`, `${JSON.stringify(entry)} has no =`, 'write NAME=VALUE');
  });
  for (const [set, names] of Object.entries(process.capabilities ?? {})) {
    (names as readonly string[]).forEach((name, i) => {
      if (!KNOWN_CAPABILITIES.has(name)) {
        throw invalidField(`process.capabilities.${set}[${i}]`, `unknown capability ${JSON.stringify(name)}`, 'use a name from capabilities(7) in the CAP_NET_ADMIN form');
      }
    });
  }
  const seen = new Set<string>();
  (process.rlimits ?? []).forEach((limit, i) => {
    if (!KNOWN_RLIMITS.has(limit.type)) throw invalidField(`process.rlimits[${i}].type`, `unknown resource ${JSON.stringify(limit.type)}`, `use one of ${[...KNOWN_RLIMITS].join(', ')}`);
    if (seen.has(limit.type)) throw invalidField(`process.rlimits[${i}].type`, `${limit.type} is given twice`, 'keep one entry per resource');
    if (limit.soft > limit.hard) throw invalidField(`process.rlimits[${i}].soft`, `${limit.soft} is above the hard limit ${limit.hard}`, 'lower soft or raise hard');
    seen.add(limit.type);
  });
}

function checkLinux(config: OciConfig): void {
  const linux = config.linux ?? {};
  const types = new Set<string>();
  (linux.namespaces ?? []).forEach((ns, i) => {
    if (types.has(ns.type)) throw invalidField(`linux.namespaces[${i}].type`, `${ns.type} is listed twice`, 'keep one entry per namespace type');
    types.add(ns.type);
    checkAbsolute(ns.path, `linux.namespaces[${i}].path`);
  });
  const hasUserns = types.has('user');
  for (const key of ['uidMappings', 'gidMappings'] as const) {
    if ((linux[key] ?? []).length > 0 && !hasUserns) {
      throw invalidField(`linux.${key}`, 'maps ids without a user namespace', 'add {"type": "user"} to linux.namespaces or remove the mappings');
    }
  }
  for (const key of ['hostname', 'domainname'] as const) {
    if (config[key] !== undefined && config[key] !== '' && !types.has('uts')) {
      throw invalidField(key, 'needs a UTS namespace of the container\'s own, or it would rename the host', 'add {"type": "uts"} to linux.namespaces');
    }
  }
  (linux.devices ?? []).forEach((device, i) => checkAbsolute(device.path, `linux.devices[${i}].path`));
  (linux.maskedPaths ?? []).forEach((path, i) => checkAbsolute(path, `linux.maskedPaths[${i}]`));
  (linux.readonlyPaths ?? []).forEach((path, i) => checkAbsolute(path, `linux.readonlyPaths[${i}]`));
}

function checkMountsAndHooks(config: OciConfig): void {
  (config.mounts ?? []).forEach((mount, i) => checkAbsolute(mount.destination, `mounts[${i}].destination`));
  for (const [stage, hooks] of Object.entries(config.hooks ?? {})) {
    (hooks as readonly { path: string }[]).forEach((hook, i) => checkAbsolute(hook.path, `hooks.${stage}[${i}].path`));
  }
}

/**
 * @throws ConfigError ISOLA_RUNTIME_INVALID_CONFIG for a malformed field,
 *   ISOLA_RUNTIME_UNSUPPORTED for one isola does not honour; `field` is the JSON path.
 */
export function validateRuntimeConfig(document: unknown): ValidatedConfig {
  const notices: string[] = [];
  checkValue(CONFIG_SHAPE, document, '', notices);
  const config = document as OciConfig;
  checkProcess(config);
  checkLinux(config);
  checkMountsAndHooks(config);
  return { config, notices };
}

/** config.json text, parsed and validated. */
export function parseRuntimeConfig(text: string): ValidatedConfig {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ConfigError('ISOLA_RUNTIME_INVALID_CONFIG', '(document)', `is not JSON: ${(error as Error).message}`, { hint: 'fix the JSON syntax', cause: error });
  }
  return validateRuntimeConfig(document);
}
