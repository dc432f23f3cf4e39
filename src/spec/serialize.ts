/**
 * config.json text. JSON.stringify writes RLIM_INFINITY (2^64 as a number)
 * as 18446744073709552000, which Go runtimes reject as a uint64 overflow;
 * the exact 18446744073709551615 is written instead through JSON.rawJSON
 * (Node 21+), so runc and crun can read what isola writes.
 */
import type { OciConfig } from '../runtime/index.ts';
import { RLIM_INFINITY, RLIM_INFINITY_BIGINT } from '../security/index.ts';

// TypeScript's lib has no declaration for JSON.rawJSON yet.
const { rawJSON } = JSON as unknown as { rawJSON(text: string): unknown };

/** The config as JSON text, indented by two spaces, uint64 infinity exact. */
export function serializeOciConfig(config: OciConfig): string {
  const exactInfinity = (_key: string, value: unknown) =>
    typeof value === 'number' && value >= RLIM_INFINITY ? rawJSON(RLIM_INFINITY_BIGINT.toString()) : value;
  return JSON.stringify(config, exactInfinity, 2);
}
