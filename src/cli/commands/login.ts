/**
 * `isola login [-u USER] [-p PASSWORD | --password-stdin] [--tls-verify=false] [--cert-dir DIR] REGISTRY`
 * and `isola logout REGISTRY`: credentials in auth.json (podman's format and place), or through
 * the credential helper (credHelpers, credsStore) that file names for the registry.
 */
import { readFileSync } from 'node:fs';
import { InvalidOptionError } from '../../errors/index.ts';
import { Engine } from '../../engine/index.ts';
import { flagValue, isFlagSet, parseArgs, type FlagSpec } from '../parse-args.ts';
import { REGISTRY_FLAGS, registryAccess } from './registry-flags.ts';
import type { CliContext } from '../context.ts';

const LOGIN_FLAGS: readonly FlagSpec[] = [
  ...REGISTRY_FLAGS, { name: 'username', short: 'u', takesValue: true, valueName: 'USER', description: 'the user name' },
  { name: 'password', short: 'p', takesValue: true, valueName: 'PASS', description: 'the password (visible to other users: prefer --password-stdin)' },
  { name: 'password-stdin', takesValue: false, description: 'read the password from stdin' },
];

function oneRegistry(command: string, positionals: readonly string[]): string {
  const [registry, ...extra] = positionals;
  if (registry === undefined || extra.length > 0) throw new InvalidOptionError(`isola ${command}`, 'one registry such as localhost:5000', positionals.join(' '));
  return registry.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
}

export async function loginCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const args = parseArgs(argv, LOGIN_FLAGS);
  const registry = oneRegistry('login', args.positionals);
  const username = flagValue(args, 'username');
  // Reading all of stdin at once is the simplest correct way for a one-line secret.
  const password = isFlagSet(args, 'password-stdin') ? readFileSync(0, 'utf8').replace(/\r?\n$/, '') : flagValue(args, 'password');
  if (username === undefined || password === undefined) {
    throw new InvalidOptionError('isola login', 'a username and a password', 'none', { hint: 'isola login -u USER --password-stdin REGISTRY < file' });
  }
  const engine = await Engine.open(context.engineOptions);
  try {
    const file = await (await engine.images()).login(registry, { username, password }, registryAccess(args, context.cwd));
    process.stdout.write(`Login Succeeded! (credentials in ${file})\n`);
    return 0;
  } finally {
    await engine.close();
  }
}

export async function logoutCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const registry = oneRegistry('logout', parseArgs(argv, []).positionals);
  const engine = await Engine.open(context.engineOptions);
  try {
    const wasStored = await (await engine.images()).logout(registry);
    process.stdout.write(wasStored ? `Removed login credentials for ${registry}\n` : `Not logged into ${registry}\n`);
    return 0;
  } finally {
    await engine.close();
  }
}
