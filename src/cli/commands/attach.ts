/**
 * `isola attach [--detach-keys KEYS] NAME`: this terminal on a running
 * container, until it exits (then its status) or the detach keys are typed
 * (0, and it keeps running). Input reaches its terminal (-t) or, for a
 * container run with -i, its stdin.
 */
import { InvalidOptionError } from '../../errors/index.ts';
import { Engine } from '../../engine/index.ts';
import { attachSession } from '../attach-session.ts';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from '../detach-keys.ts';
import { flagValue, parseArgs, type FlagSpec } from '../parse-args.ts';
import type { CliContext } from '../context.ts';

export const DETACH_KEYS_FLAG: FlagSpec = {
  name: 'detach-keys', takesValue: true, valueName: 'KEYS',
  description: `keys that detach and leave the container running (default ${DEFAULT_DETACH_KEYS}; "" disables)`,
};

export async function attachCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const args = parseArgs(argv, [DETACH_KEYS_FLAG]);
  const [ref, ...rest] = args.positionals;
  if (ref === undefined || rest.length > 0) throw new InvalidOptionError('isola attach', 'one container name or id', args.positionals.join(' '));
  const detachKeys = parseDetachKeys(flagValue(args, 'detach-keys') ?? DEFAULT_DETACH_KEYS);
  const engine = await Engine.open(context.engineOptions);
  try {
    return await attachSession(engine, ref, { hasInput: true, detachKeys });
  } finally {
    await engine.close();
  }
}
