/** Flags shared by commands that talk to registries. */
import { resolve } from 'node:path';
import { flagValue, isFlagSet, type FlagSpec, type ParsedArgs } from '../parse-args.ts';

export const TLS_VERIFY_FLAG: FlagSpec = { name: 'tls-verify', takesValue: false, description: 'verify the registry\'s certificate (--tls-verify=false: also allow plain HTTP)' };
export const CERT_DIR_FLAG: FlagSpec = { name: 'cert-dir', takesValue: true, valueName: 'DIR', description: 'CA certificates and client keys for the registry' };
export const REGISTRY_FLAGS: readonly FlagSpec[] = [TLS_VERIFY_FLAG, CERT_DIR_FLAG];

/**
 * `--tls-verify=false` skips certificate verification and allows plain HTTP;
 * the default (and `--tls-verify`) verifies.
 */
export function tlsVerify(args: ParsedArgs): boolean {
  return !args.flags.has('tls-verify') || isFlagSet(args, 'tls-verify');
}

/** The engine's RegistryAccessOptions from `--tls-verify` and `--cert-dir DIR` (resolved against `cwd`). */
export function registryAccess(args: ParsedArgs, cwd: string): { tlsVerify: boolean; certDir: string | undefined } {
  const certDir = flagValue(args, 'cert-dir');
  return { tlsVerify: tlsVerify(args), certDir: certDir === undefined ? undefined : resolve(cwd, certDir) };
}
