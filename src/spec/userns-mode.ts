/**
 * The text form of a userns mode, as `--userns` and the config file's
 * `userns` key spell it: host, keep-id, auto, auto:size=N, remap:USER.
 */
import { InvalidOptionError } from '../errors/index.ts';
import type { UsernsMode } from './container-options.ts';

export function parseUsernsMode(text: string, option: string): UsernsMode {
  if (text === 'auto') return { kind: 'auto' };
  if (text === 'host' || text === 'keep-id') return { kind: text };
  const size = /^auto:size=(\d+)$/.exec(text)?.[1];
  if (size !== undefined) return { kind: 'auto', size: Number(size) };
  if (text.startsWith('remap:') && text.length > 6) return { kind: 'remap', user: text.slice(6) };
  throw new InvalidOptionError(option, 'host, keep-id, auto[:size=N] or remap:USER', text);
}
