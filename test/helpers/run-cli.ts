/**
 * Drives the real CLI (bin/isola, which picks node_modules/.bin/node) the way a
 * user would: as root, or as the rootless test user through runAsUser.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAsUser, type RootlessUser } from './rootless-user.ts';
import { runCommand, type CommandResult } from './run-command.ts';

export const isolaBin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'isola');

export interface RunIsolaOptions {
  /** Run as this user (rootless) instead of the test process's own user. */
  readonly user?: RootlessUser | undefined;
  readonly input?: string | Buffer | undefined;
  /** Added to the environment (the test's own, or the user's clean one). */
  readonly env?: Readonly<Record<string, string>> | undefined;
  /** @default 60000 */
  readonly timeoutMs?: number | undefined;
}

/** Runs `bin/isola ...args` and resolves with its exit status and output. */
export function runIsola(args: readonly string[], options: RunIsolaOptions = {}): Promise<CommandResult> {
  const argv = [isolaBin, ...args];
  const { input, timeoutMs } = options;
  if (options.user !== undefined) return runAsUser(options.user, argv, { env: options.env, input, timeoutMs });
  return runCommand(argv, { env: { ...process.env, ...options.env }, input, timeoutMs });
}
