/**
 * Shared set-up for the security tests: `isola run` as root with a fixed map,
 * /tmp on a tmpfs (the rootfs fixture is shared and must stay as built), and
 * a rootfs that also has unshare and keyctl.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { runIsola } from '../../helpers/run-cli.ts';
import { withTempDirs, type TempDirs } from '../../helpers/temp-dirs.ts';
import type { CommandResult } from '../../helpers/run-command.ts';

export const MAP = ['--uidmap', '0:100000:65536', '--gidmap', '0:100000:65536'];

export function securityRootfs(): Promise<string> {
  return ensureHostRootfs({ extraBinaries: ['unshare', 'keyctl'] });
}

/** `isola run --rm` of `sh -c script` with `flags`; `inDirs` sees the --root/--runroot pair afterwards. */
export async function run(flags: readonly string[], script: string, inDirs?: (dirs: TempDirs) => Promise<void>): Promise<CommandResult> {
  const rootfs = await securityRootfs();
  return withTempDirs(async (dirs) => {
    const result = await runIsola([...dirs.args, 'run', '--rm', '--rootfs', rootfs, ...MAP, '--tmpfs', '/tmp', ...flags, '--', 'sh', '-c', script]);
    await inDirs?.(dirs);
    return result;
  });
}

/** A profile file removed after the test. */
export async function profileFile(t: { after: (fn: () => Promise<void>) => void }, profile: object): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'isola-seccomp-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'profile.json'), JSON.stringify(profile));
  return join(dir, 'profile.json');
}
