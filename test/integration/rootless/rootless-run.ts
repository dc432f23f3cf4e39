/**
 * What every rootless test needs: the rootless user (created by root), a
 * rootfs that user can read, and a way to run `isola run` as it with a
 * --root/--runroot pair it owns.
 */
import { join } from 'node:path';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { ensureRootlessUser, runAsUser, type RootlessUser } from '../../helpers/rootless-user.ts';
import { runIsola } from '../../helpers/run-cli.ts';
import type { CommandResult } from '../../helpers/run-command.ts';
import type { TempDirs } from '../../helpers/temp-dirs.ts';

export interface RootlessSetup {
  readonly user: RootlessUser;
  readonly rootfs: string;
}

/** As root: the user and the shared rootfs, checked readable by the user. */
export async function prepareRootless(): Promise<RootlessSetup> {
  const [user, rootfs] = await Promise.all([ensureRootlessUser(), ensureHostRootfs()]);
  const probe = await runAsUser(user, ['test', '-r', join(rootfs, 'usr', 'bin', 'sh')]);
  if (probe.code !== 0) throw new Error(`${user.name} cannot read the rootfs ${rootfs}: rootless tests need it world-readable`);
  return { user, rootfs };
}

/** `isola --root --runroot run --rm --rootfs ROOTFS ...args` as the rootless user. */
export function runRootless(setup: RootlessSetup, dirs: TempDirs, args: readonly string[],
  env?: Readonly<Record<string, string>>): Promise<CommandResult> {
  return runIsola([...dirs.args, 'run', '--rm', '--rootfs', setup.rootfs, ...args], { user: setup.user, env });
}
