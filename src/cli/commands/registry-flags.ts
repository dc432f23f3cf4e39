/** Flags shared by commands that talk to registries. */
import { isFlagSet, type FlagSpec, type ParsedArgs } from '../parse-args.ts';

export const TLS_VERIFY_FLAG: FlagSpec = { name: 'tls-verify', takesValue: false };

/** `--tls-verify=false` allows plain HTTP; the default (and `--tls-verify`) verifies. */
export function tlsVerify(args: ParsedArgs): boolean {
  return !args.flags.has('tls-verify') || isFlagSet(args, 'tls-verify');
}
