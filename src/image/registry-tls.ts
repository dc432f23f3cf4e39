/**
 * How the registry client checks a registry's TLS certificate: verified
 * against the default CAs (the global fetch), against the default CAs plus a
 * `--cert-dir` of `*.crt` files, or not at all (`--tls-verify=false`, or an
 * `insecure` registry in registries.toml, for self-signed registries); and
 * which client certificate it presents (a `NAME.cert` + `NAME.key` pair in
 * the `--cert-dir`, docker's and podman's layout), for registries that demand one.
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
  /** The client certificate presented to registries that ask for one. */
  readonly clientCertificate?: ClientCertificate | undefined;
}

/** A PEM certificate (chain) and its PEM private key. */
export interface ClientCertificate {
  readonly cert: string;
  readonly key: string;
}

/** What a `--cert-dir` holds. */
export interface CertDir {
  /** `*.crt`, in name order. */
  readonly caCertificates: readonly string[];
  /** From `NAME.cert` and `NAME.key`, when the directory has a pair. */
  readonly clientCertificate: ClientCertificate | undefined;
}

/**
 * A fetch for these TLS options: the global fetch when nothing differs from
 * the defaults, else one over node:https with its own keep-alive agent. Plain
 * HTTP URLs (an insecure registry's fallback) always take the global fetch.
 */
export function registryFetch(options: RegistryTlsOptions = {}): RegistryFetch {
  const isVerified = options.isVerified !== false;
  const extraCas = options.caCertificates ?? [];
  const clientCertificate = options.clientCertificate;
  if (isVerified && extraCas.length === 0 && clientCertificate === undefined) return fetch;
  let nodeFetch: Promise<RegistryFetch> | undefined;
  return async (url, init) => {
    if (String(url).startsWith('http:')) return fetch(url, init);
    nodeFetch ??= import('./node-fetch.ts').then(({ createNodeFetch }) =>
      createNodeFetch({ isVerified, extraCas, clientCertificate }));
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
 * TLS alerts a server sends when it wants a client certificate it did not get
 * or does not trust (OpenSSL's names, as Node reports them).
 */
const CLIENT_CERT_ALERT = /ALERT_(CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN)$/;

export function isClientCertificateRefusal(code: string | undefined): boolean {
  return code !== undefined && CLIENT_CERT_ALERT.test(code);
}

type CertDirError = (why: string, hint?: string) => ImageError;

async function readPem(dir: string, name: string, marker: string, invalid: CertDirError): Promise<string> {
  let text: string;
  try {
    text = await readFile(join(dir, name), 'utf8');
  } catch (error) {
    throw invalid(`has ${name}, which cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!text.includes(marker)) throw invalid(`has ${name}, which holds no PEM ${marker.includes('KEY') ? 'private key' : 'certificate'}`);
  return text;
}

/** The directory's `NAME.cert` + `NAME.key` pair: at most one, each half present, the key matching the certificate. */
async function readClientCertificate(dir: string, names: readonly string[], invalid: CertDirError): Promise<ClientCertificate | undefined> {
  const certs = names.filter((name) => name.endsWith('.cert'));
  const keys = names.filter((name) => name.endsWith('.key'));
  const pairHint = 'a client certificate is two files, NAME.cert (PEM certificate) and NAME.key (its PEM private key)';
  for (const cert of certs) {
    const key = `${cert.slice(0, -'.cert'.length)}.key`;
    if (!keys.includes(key)) throw invalid(`has the client certificate ${cert} but not its key ${key}`, pairHint);
  }
  for (const key of keys) {
    const cert = `${key.slice(0, -'.key'.length)}.cert`;
    if (!certs.includes(cert)) throw invalid(`has the client key ${key} but not its certificate ${cert}`, pairHint);
  }
  if (certs.length > 1) throw invalid(`has several client certificates (${certs.join(', ')})`, 'keep one NAME.cert and NAME.key pair per directory');
  const [certName] = certs;
  if (certName === undefined) return undefined;
  const keyName = `${certName.slice(0, -'.cert'.length)}.key`;
  const pair = {
    cert: await readPem(dir, certName, '-----BEGIN CERTIFICATE-----', invalid),
    key: await readPem(dir, keyName, 'PRIVATE KEY-----', invalid),
  };
  // A mismatched pair would otherwise fail at the first connection, as an opaque TLS error.
  const { createSecureContext } = await import('node:tls');
  try {
    createSecureContext(pair);
  } catch (error) {
    throw invalid(`has ${certName} and ${keyName}, which do not make a usable pair: ${(error as Error).message}`, pairHint);
  }
  return pair;
}

/**
 * The certificates in a `--cert-dir`, as podman and docker lay it out: `*.crt`
 * are CA certificates, `NAME.cert` + `NAME.key` a client certificate.
 * @throws ImageError ISOLA_REGISTRY_CERT_DIR_INVALID when the directory or a file cannot be read, a file holds no PEM
 *   certificate or key, a `.cert` or `.key` lacks its other half, or there is more than one pair
 */
export async function readCertDir(dir: string): Promise<CertDir> {
  const invalid: CertDirError = (why, hint) => new ImageError('ISOLA_REGISTRY_CERT_DIR_INVALID', `the certificate directory ${dir} ${why}`, dir,
    { hint: hint ?? 'pass a directory holding the registry\'s CA certificate as a PEM file named *.crt' });
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (error) {
    throw invalid(`cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const caCertificates = await Promise.all(names.filter((name) => name.endsWith('.crt'))
    .map((name) => readPem(dir, name, '-----BEGIN CERTIFICATE-----', invalid)));
  return { caCertificates, clientCertificate: await readClientCertificate(dir, names, invalid) };
}
