/**
 * A real `docker-credential-NAME` program for tests: a small Node script (run
 * by this Node) in its own directory, keeping credentials in a JSON file and
 * speaking docker's credential-helper protocol (get, store, erase; "credentials
 * not found in native keychain" and status 1 when it holds none). Put `dir`
 * on PATH. Broken variants show the error paths.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface TestCredentialHelper {
  /** NAME in docker-credential-NAME. */
  readonly name: string;
  /** The directory holding the program. */
  readonly dir: string;
  /** What it holds: server -> {Username, Secret}. */
  stored(): Promise<Record<string, { Username: string; Secret: string }>>;
  /** Each call as `ACTION INPUT` (input trimmed; store's JSON as sent). */
  calls(): Promise<string[]>;
}

export type HelperBehaviour = 'store' | 'fail' | 'bad-json';

const PROGRAM = `
const fs = require('node:fs');
const [db, log, behaviour] = process.argv.slice(2, 5);
const action = process.argv[5];
let input = '';
process.stdin.setEncoding('utf8').on('data', (text) => { input += text; }).on('end', () => {
  fs.appendFileSync(log, action + ' ' + input.trim() + '\\n');
  if (behaviour === 'fail') { process.stderr.write('starting\\nerror: the keyring is locked\\n'); process.exit(3); }
  if (behaviour === 'bad-json') { process.stdout.write('{"Username": "u", '); return; }
  const store = fs.existsSync(db) ? JSON.parse(fs.readFileSync(db, 'utf8')) : {};
  const notFound = () => { process.stdout.write('credentials not found in native keychain\\n'); process.exit(1); };
  if (action === 'get') {
    const entry = store[input.trim()];
    if (entry === undefined) notFound();
    process.stdout.write(JSON.stringify({ ServerURL: input.trim(), ...entry }));
  } else if (action === 'store') {
    const { ServerURL, Username, Secret } = JSON.parse(input);
    store[ServerURL] = { Username, Secret };
    fs.writeFileSync(db, JSON.stringify(store));
  } else if (action === 'erase') {
    if (store[input.trim()] === undefined) notFound();
    delete store[input.trim()];
    fs.writeFileSync(db, JSON.stringify(store));
  } else {
    process.stderr.write('unknown action ' + action + '\\n');
    process.exit(2);
  }
});
`;

/**
 * Writes `dir/docker-credential-NAME` (a shell wrapper running the Node
 * script), holding `initial` (server -> credentials).
 */
export async function makeCredentialHelper(dir: string, name: string, options: {
  readonly initial?: Readonly<Record<string, { readonly username: string; readonly password: string }>>;
  readonly behaviour?: HelperBehaviour;
} = {}): Promise<TestCredentialHelper> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const db = join(dir, `${name}.db.json`);
  const log = join(dir, `${name}.log`);
  const script = join(dir, `${name}.cjs`);
  await writeFile(script, PROGRAM);
  await writeFile(log, '');
  const initial = Object.fromEntries(Object.entries(options.initial ?? {}).map(([server, c]) => [server, { Username: c.username, Secret: c.password }]));
  await writeFile(db, JSON.stringify(initial));
  const program = join(dir, `docker-credential-${name}`);
  await writeFile(program, `#!/bin/sh\nexec '${process.execPath}' '${script}' '${db}' '${log}' '${options.behaviour ?? 'store'}' "$@"\n`);
  await chmod(program, 0o755);
  return {
    name, dir,
    stored: async () => JSON.parse(await readFile(db, 'utf8')) as Record<string, { Username: string; Secret: string }>,
    calls: async () => (await readFile(log, 'utf8')).split('\n').filter((line) => line !== ''),
  };
}
