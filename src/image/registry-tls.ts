/**
 * How the registry client checks a registry's TLS certificate: verified
 * against the default CAs (the global fetch), against the default CAs plus a
 * `--cert-dir` of `*.crt` files, or not at all (`--tls-verify=false`, or an
 * `insecure` registry in registries.toml, for self-signed registries).
 *
 * Node's global fetch is undici inside but exposes no way to pass TLS options,
 * so the last two modes go through node:https (node-fetch.ts), loaded only
 * then. node:https rather than the undici package: no dependency, and it loads
 * in 7-16 ms where `import('undici')` takes 78-108 ms (min and median of 15
 * runs each of a one-line script importing it and making an Agent, Node 24.21
 * on the loaded 2-core build machine), and its Agent takes the CA list as is.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageError } from './errors.ts';

/** The subset of fetch the registry client uses. */
export type RegistryFetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

export interface RegistryTlsOptions {
  /** false: certificates are not checked at all. @default true */
  readonly isVerified?: boolean | undefined;
  /** PEM CA certificates trusted besides the default ones (ignored when not verified). */
  readonly caCertificates?: readonly string[] | undefined;
}

/**
 * A fetch for these TLS options: the global fetch when nothing differs from
 * the defaults, else one over node:https with its own keep-alive agent. Plain
 * HTTP URLs (an insecure registry's fallback) always take the global fetch.
 */
export function registryFetch(options: RegistryTlsOptions = {}): RegistryFetch {
  const isVerified = options.isVerified !== false;
  const extraCas = options.caCertificates ?? [];
  if (isVerified && extraCas.length === 0) return fetch;
  let nodeFetch: Promise<RegistryFetch> | undefined;
  return async (url, init) => {
    if (String(url).startsWith('http:')) return fetch(url, init);
    nodeFetch ??= import('./node-fetch.ts').then(({ createNodeFetch }) =>
      createNodeFetch({ isVerified, extraCas }));
    return (await nodeFetch)(url, init);
  };
}

/**
 * OpenSSL's and Node's codes for "the certificate could not be verified", as
 * opposed to a connection that failed for another reason.
 */
const CERTIFICATE_ERROR_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE', 'INVALID_CA', 'INVALID_PURPOSE', 'PATH_LENGTH_EXCEEDED', 'HOSTNAME_MISMATCH', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function isCertificateErrorCode(code: string | undefined): boolean {
  return code !== undefined && CERTIFICATE_ERROR_CODES.has(code);
}

/**
 * The CA certificates in a directory: its `*.crt` files, as podman's
 * `--cert-dir` (client certificates, `*.cert` and `*.key`, are not read).
 * @throws ImageError ISOLA_REGISTRY_CERT_DIR_INVALID when the directory or a file cannot be read, or a file holds no PEM certificate
 */
export async function readCertDir(dir: string): Promise<string[]> {
  const invalid = (why: string): ImageError => new ImageError('ISOLA_REGISTRY_CERT_DIR_INVALID', `the certificate directory ${dir} ${why}`, dir,
    { hint: 'pass a directory holding the registry\'s CA certificate as a PEM file named *.crt' });
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.crt')).sort();
  } catch (error) {
    throw invalid(`cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return Promise.all(names.map(async (name) => {
    let text: string;
    try {
      text = await readFile(join(dir, name), 'utf8');
    } catch (error) {
      throw invalid(`has ${name}, which cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    if (!text.includes('-----BEGIN CERTIFICATE-----')) throw invalid(`has ${name}, which holds no PEM certificate`);
    return text;
  }));
}
