/**
 * Registry credentials in the auth.json format podman, skopeo and docker share:
 * `{"auths": {"registry": {"auth": base64("user:password")}}}`. `isola login`
 * writes the first file given (podman's $XDG_RUNTIME_DIR/containers/auth.json,
 * chosen by the CLI); lookups read every file in order, so ~/.docker/config.json
 * works too. A file may name credential helpers, as docker's config.json does:
 * `credHelpers: {"host": "NAME"}` for one registry, `credsStore: "NAME"` for
 * all; then `docker-credential-NAME` (credential-helper.ts, loaded only then)
 * is asked first, and login and logout store and erase through it.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ImageError } from './errors.ts';
import { DEFAULT_REGISTRY } from './reference.ts';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

interface AuthFile {
  auths?: Record<string, { auth?: string; [key: string]: unknown }>;
  credHelpers?: unknown;
  credsStore?: unknown;
  [key: string]: unknown;
}

export interface CredentialLookupOptions {
  /** PATH-style directories searched for `docker-credential-*` helpers. @default '/usr/local/bin:/usr/bin:/bin' */
  readonly searchPath?: string | undefined;
}

const DEFAULT_SEARCH_PATH = '/usr/local/bin:/usr/bin:/bin';

const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** `https://index.docker.io/v1/` and `docker.io` name the same registry; so do `host` and `https://host/`. */
export function normalizeAuthKey(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
  return DOCKER_HUB_ALIASES.has(host) ? DEFAULT_REGISTRY : host;
}

async function readAuthFile(path: string): Promise<AuthFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ImageError('ISOLA_AUTH_FILE_INVALID', `cannot read the credentials file ${path}: ${(error as Error).message}`, path, { cause: error });
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as AuthFile;
  } catch (error) {
    throw new ImageError('ISOLA_AUTH_FILE_INVALID', `the credentials file ${path} is not valid: ${(error as Error).message}`, path,
      { cause: error, hint: `fix or remove ${path}, then isola login again` });
  }
}

function decodeAuth(path: string, auth: string): Credentials {
  const text = Buffer.from(auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon === -1) throw new ImageError('ISOLA_AUTH_FILE_INVALID', `an auth entry in ${path} is not base64 of user:password`, path);
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** The helper a file names for `registry`: its credHelpers entry, else its credsStore (docker's precedence). */
function helperNameFor(path: string, file: AuthFile, registry: string): string | undefined {
  const invalid = (field: string): ImageError => new ImageError('ISOLA_AUTH_FILE_INVALID', `${field} in ${path} is not valid`, path,
    { hint: `${field} takes ${field === 'credsStore' ? 'a helper name' : 'an object of registry: helper name'}` });
  if (file.credHelpers !== undefined) {
    if (typeof file.credHelpers !== 'object' || file.credHelpers === null || Array.isArray(file.credHelpers)) throw invalid('credHelpers');
    for (const [key, name] of Object.entries(file.credHelpers)) {
      if (normalizeAuthKey(key) !== registry) continue;
      if (typeof name !== 'string' || name === '') throw invalid('credHelpers');
      return name;
    }
  }
  if (file.credsStore === undefined || file.credsStore === '') return undefined;
  if (typeof file.credsStore !== 'string') throw invalid('credsStore');
  return file.credsStore;
}

async function helperFor(path: string, file: AuthFile | undefined, registry: string, options: CredentialLookupOptions) {
  const name = file === undefined ? undefined : helperNameFor(path, file, registry);
  if (name === undefined) return undefined;
  const helpers = await import('./credential-helper.ts');
  return { helpers, helper: { name, configuredIn: path, searchPath: options.searchPath ?? DEFAULT_SEARCH_PATH } };
}

/**
 * The first credentials found for `registry` in `files`, or undefined. In each
 * file its helper for the registry (if it names one) is asked before its `auths`.
 * @throws ImageError ISOLA_AUTH_FILE_INVALID, ISOLA_AUTH_HELPER_NOT_FOUND, ISOLA_AUTH_HELPER_FAILED, ISOLA_AUTH_HELPER_INVALID
 */
export async function findCredentials(registry: string, files: readonly string[], options: CredentialLookupOptions = {}): Promise<Credentials | undefined> {
  const wanted = normalizeAuthKey(registry);
  for (const path of files) {
    const file = await readAuthFile(path);
    const viaHelper = await helperFor(path, file, wanted, options);
    const fromHelper = await viaHelper?.helpers.getFromHelper(viaHelper.helper, wanted);
    if (fromHelper !== undefined) return fromHelper;
    for (const [key, entry] of Object.entries(file?.auths ?? {})) {
      if (normalizeAuthKey(key) === wanted && typeof entry.auth === 'string' && entry.auth !== '') return decodeAuth(path, entry.auth);
    }
  }
  return undefined;
}

async function updateAuthFile(path: string, update: (auths: NonNullable<AuthFile['auths']>) => boolean): Promise<boolean> {
  const file = (await readAuthFile(path)) ?? {};
  const auths = { ...file.auths };
  if (!update(auths)) return false;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // A temp file and rename: a concurrent reader never sees half a file.
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify({ ...file, auths }, null, '\t')}\n`, { mode: 0o600 });
  await rename(temp, path);
  return true;
}

/**
 * Stores credentials for `registry`: through the helper `path` names for it,
 * else in `path` (mode 0600). @returns where: `path` or `docker-credential-NAME`
 */
export async function storeCredentials(path: string, registry: string, credentials: Credentials, options: CredentialLookupOptions = {}): Promise<string> {
  const key = normalizeAuthKey(registry);
  const viaHelper = await helperFor(path, await readAuthFile(path), key, options);
  if (viaHelper !== undefined) {
    await viaHelper.helpers.storeInHelper(viaHelper.helper, key, credentials);
    return `docker-credential-${viaHelper.helper.name}`;
  }
  await updateAuthFile(path, (auths) => {
    for (const existing of Object.keys(auths)) if (normalizeAuthKey(existing) === key) delete auths[existing];
    auths[key] = { auth: Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64') };
    return true;
  });
  return path;
}

/**
 * Removes the credentials for `registry` from the helper `path` names for it
 * and from `path`'s auths; false when neither held any.
 */
export async function removeCredentials(path: string, registry: string, options: CredentialLookupOptions = {}): Promise<boolean> {
  const key = normalizeAuthKey(registry);
  const viaHelper = await helperFor(path, await readAuthFile(path), key, options);
  const wasErased = await viaHelper?.helpers.eraseFromHelper(viaHelper.helper, key) ?? false;
  const wasRemoved = await updateAuthFile(path, (auths) => {
    const keys = Object.keys(auths).filter((existing) => normalizeAuthKey(existing) === key);
    for (const existing of keys) delete auths[existing];
    return keys.length > 0;
  });
  return wasErased || wasRemoved;
}
