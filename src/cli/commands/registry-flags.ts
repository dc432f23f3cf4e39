/** Flags shared by commands that talk to registries. */
import { resolve } from 'node:path';
import { InvalidOptionError } from '../../errors/index.ts';
import { flagValue, isFlagSet, type FlagSpec, type ParsedArgs } from '../parse-args.ts';

export const TLS_VERIFY_FLAG: FlagSpec = { name: 'tls-verify', takesValue: false, description: 'verify the registry\'s certificate (--tls-verify=false: also allow plain HTTP)' };
export const CERT_DIR_FLAG: FlagSpec = { name: 'cert-dir', takesValue: true, valueName: 'DIR', description: 'CA certificates and client keys for the registry' };
export const CREDS_FLAG: FlagSpec = { name: 'creds', takesValue: true, valueName: 'USER:PASS', description: 'credentials for this transfer (over stored logins and helpers)' };
export const REGISTRY_FLAGS: readonly FlagSpec[] = [TLS_VERIFY_FLAG, CERT_DIR_FLAG];
/** pull and push (and run) also take `--creds`; login has its own -u and -p. */
export const TRANSFER_FLAGS: readonly FlagSpec[] = [...REGISTRY_FLAGS, CREDS_FLAG];

/** `--creds USERNAME:PASSWORD` (podman's; isola does not prompt for a missing password). */
export function parseCreds(text: string): { username: string; password: string } {
  const colon = text.indexOf(':');
  if (colon <= 0) {
    throw new InvalidOptionError('--creds', 'USERNAME:PASSWORD', colon === -1 ? text : text.replace(/:.*/s, ':...'),
      { hint: 'give both, as --creds alice:secret, or log in once with isola login' });
  }
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/**
 * `--tls-verify=false` skips certificate verification and allows plain HTTP;
 * the default (and `--tls-verify`) verifies.
 */
export function tlsVerify(args: ParsedArgs): boolean {
  return !args.flags.has('tls-verify') || isFlagSet(args, 'tls-verify');
}

/** `--cert-dir DIR` resolved against `cwd`. */
export function certDirFlag(args: ParsedArgs, cwd: string): string | undefined {
  const certDir = flagValue(args, 'cert-dir');
  return certDir === undefined ? undefined : resolve(cwd, certDir);
}

/** `--creds`, when given. */
export function credsFlag(args: ParsedArgs): { username: string; password: string } | undefined {
  const creds = flagValue(args, 'creds');
  return creds === undefined ? undefined : parseCreds(creds);
}

/** The engine's RegistryAccessOptions from `--tls-verify`, `--cert-dir DIR` (resolved against `cwd`) and `--creds`. */
export function registryAccess(args: ParsedArgs, cwd: string): {
  tlsVerify: boolean; certDir: string | undefined; credentials: { username: string; password: string } | undefined;
} {
  return { tlsVerify: tlsVerify(args), certDir: certDirFlag(args, cwd), credentials: credsFlag(args) };
}
