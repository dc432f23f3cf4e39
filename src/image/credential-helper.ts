/**
 * Docker's credential-helper protocol: `docker-credential-NAME get|store|erase`
 * found on the search path. `get` reads the server on stdin and prints
 * `{"ServerURL","Username","Secret"}`; `store` reads that JSON; `erase` reads
 * the server. A helper that does not hold the server's credentials exits
 * non-zero printing "credentials not found in native keychain" (the text
 * docker's client library matches). Loaded only when an auth file names a helper.
 */
import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import { ImageError } from './errors.ts';
import type { Credentials } from './credentials.ts';

const NOT_FOUND_TEXT = 'credentials not found in native keychain';
/** Docker's name for its hub in credential stores. */
const DOCKER_HUB_SERVER = 'https://index.docker.io/v1/';

export interface CredentialHelper {
  /** NAME in `docker-credential-NAME`. */
  readonly name: string;
  /** The auth file that names it (for messages). */
  readonly configuredIn: string;
  /** PATH-style directories searched for the program. */
  readonly searchPath: string;
}

interface HelperOutput {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function program(helper: CredentialHelper): string {
  return `docker-credential-${helper.name}`;
}

/** The server name a helper is asked about: docker's URL for its hub, else `host[:port]`. */
export function helperServer(registry: string): string {
  return registry === 'docker.io' ? DOCKER_HUB_SERVER : registry;
}

async function locate(helper: CredentialHelper): Promise<string> {
  // The name comes from a file: a slash in it would run a program outside the search path.
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(helper.name)) {
    throw new ImageError('ISOLA_AUTH_FILE_INVALID', `the credential helper name ${JSON.stringify(helper.name)} in ${helper.configuredIn} is not a plain name`,
      helper.configuredIn, { hint: `name a helper such as "pass" (for docker-credential-pass) in ${helper.configuredIn}` });
  }
  for (const dir of helper.searchPath.split(delimiter)) {
    if (dir === '' || !isAbsolute(dir)) continue;
    const candidate = join(dir, program(helper));
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory; try the next.
    }
  }
  throw new ImageError('ISOLA_AUTH_HELPER_NOT_FOUND', `the credential helper ${program(helper)} named in ${helper.configuredIn} is not on the PATH`,
    program(helper), { hint: `install ${program(helper)}, or remove credsStore/credHelpers from ${helper.configuredIn}` });
}

function run(path: string, action: string, input: string): Promise<HelperOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, [action], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => { stdout += text; });
    child.stderr.setEncoding('utf8').on('data', (text: string) => { stderr += text; });
    // A helper that exits without reading stdin makes the write fail with EPIPE; its exit status tells the story.
    child.stdin.on('error', () => {});
    child.stdin.end(input);
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1)?.trim() ?? '';
}

async function invoke(helper: CredentialHelper, action: 'get' | 'store' | 'erase', input: string, server: string): Promise<HelperOutput | undefined> {
  const path = await locate(helper);
  let output: HelperOutput;
  try {
    output = await run(path, action, input);
  } catch (error) {
    throw new ImageError('ISOLA_AUTH_HELPER_FAILED', `cannot run ${path} ${action}: ${(error as Error).message}`, program(helper), { cause: error });
  }
  if (output.code === 0) return output;
  if (output.stdout.includes(NOT_FOUND_TEXT)) return undefined;
  const said = lastLine(output.stderr) || lastLine(output.stdout) || 'no output';
  throw new ImageError('ISOLA_AUTH_HELPER_FAILED',
    `${program(helper)} ${action} for ${server} exited with status ${output.code ?? 'killed'}: ${said}`, program(helper),
    { hint: `check ${program(helper)} works (echo ${server} | ${program(helper)} get)` });
}

/**
 * The helper's credentials for `registry`, or undefined when it holds none.
 * @throws ImageError ISOLA_AUTH_HELPER_NOT_FOUND, ISOLA_AUTH_HELPER_FAILED, ISOLA_AUTH_HELPER_INVALID (output not credentials JSON)
 */
export async function getFromHelper(helper: CredentialHelper, registry: string): Promise<Credentials | undefined> {
  const server = helperServer(registry);
  const output = await invoke(helper, 'get', `${server}\n`, server);
  if (output === undefined) return undefined;
  const invalid = (why: string): ImageError => new ImageError('ISOLA_AUTH_HELPER_INVALID',
    `${program(helper)} get for ${server} ${why}`, program(helper), { hint: `check what \`echo ${server} | ${program(helper)} get\` prints` });
  let parsed: unknown;
  try {
    parsed = JSON.parse(output.stdout);
  } catch {
    throw invalid('printed no JSON object');
  }
  const { Username: username, Secret: secret } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  if (typeof username !== 'string' || typeof secret !== 'string') throw invalid('printed JSON without string Username and Secret fields');
  if (username === '<token>') throw invalid('returned an identity token, which isola does not support; log in with a username and password');
  return { username, password: secret };
}

/** Stores credentials through the helper. */
export async function storeInHelper(helper: CredentialHelper, registry: string, credentials: Credentials): Promise<void> {
  const server = helperServer(registry);
  await invoke(helper, 'store', JSON.stringify({ ServerURL: server, Username: credentials.username, Secret: credentials.password }), server);
}

/** Erases the helper's credentials for `registry`; false when it held none. */
export async function eraseFromHelper(helper: CredentialHelper, registry: string): Promise<boolean> {
  const server = helperServer(registry);
  return (await invoke(helper, 'erase', `${server}\n`, server)) !== undefined;
}
