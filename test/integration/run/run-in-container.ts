/**
 * Shared set-up for these tests: run `isola run` as root with a fresh
 * --root/--runroot pair, the host rootfs fixture and a fixed map.
 */
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { runIsola, type RunIsolaOptions } from '../../helpers/run-cli.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';
import type { CommandResult } from '../../helpers/run-command.ts';

export const MAP = ['--uidmap', '0:100000:65536', '--gidmap', '0:100000:65536'];

/** `isola run --rm --rootfs R <flags> -- <command>`, with the default map unless flags set a userns. */
export async function runInContainer(flags: readonly string[], command: readonly string[], options: RunIsolaOptions = {}): Promise<CommandResult> {
  const rootfs = await ensureHostRootfs();
  const hasMode = flags.some((f) => f.startsWith('--userns') || f.startsWith('--uidmap'));
  return withTempDirs((dirs) => runIsola([...dirs.args, 'run', '--rm', '--rootfs', rootfs, ...(hasMode ? [] : MAP), ...flags, '--', ...command], options));
}
