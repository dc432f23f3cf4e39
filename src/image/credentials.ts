/**
 * Registry credentials in the auth.json format podman, skopeo and docker share:
 * `{"auths": {"registry": {"auth": base64("user:password")}}}`. `isola login`
 * writes the first file given (podman's $XDG_RUNTIME_DIR/containers/auth.json,
 * chosen by the CLI); lookups read every file in order, so ~/.docker/config.json
 * works too. Credential helpers (credHelpers, credsStore) are not run.
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
  [key: string]: unknown;
}

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

/** The first credentials found for `registry` in `files`, or undefined. */
export async function findCredentials(registry: string, files: readonly string[]): Promise<Credentials | undefined> {
  const wanted = normalizeAuthKey(registry);
  for (const path of files) {
    const file = await readAuthFile(path);
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

/** Stores credentials for `registry` in `path` (mode 0600). */
export async function storeCredentials(path: string, registry: string, credentials: Credentials): Promise<void> {
  const key = normalizeAuthKey(registry);
  await updateAuthFile(path, (auths) => {
    for (const existing of Object.keys(auths)) if (normalizeAuthKey(existing) === key) delete auths[existing];
    auths[key] = { auth: Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64') };
    return true;
  });
}

/** Removes the credentials for `registry` from `path`; false when there were none. */
export async function removeCredentials(path: string, registry: string): Promise<boolean> {
  const key = normalizeAuthKey(registry);
  return updateAuthFile(path, (auths) => {
    const keys = Object.keys(auths).filter((existing) => normalizeAuthKey(existing) === key);
    for (const existing of keys) delete auths[existing];
    return keys.length > 0;
  });
}
