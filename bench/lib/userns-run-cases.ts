/**
 * `isola run --rm /bin/true` with the default `--userns=auto` against the same
 * run with explicit maps (0:100000:65536), through the CLI and through
 * Engine.run in this process. The difference is what auto costs: opening the
 * state database, reading the pool and one allocation transaction (and the
 * release after exit). Each side has its own root, so the explicit runs never
 * see a state database at all, as on a host that never used auto.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Engine } from '../../src/engine/index.ts';
import type { RunOptions } from '../../src/engine/index.ts';
import { runCommand } from '../../test/helpers/run-command.ts';
import { timeCall, timeCommand } from './timing.ts';

export const USERNS_CASE = {
  cliAuto: 'CLI, default --userns=auto',
  cliExplicit: 'CLI, --uidmap/--gidmap 0:100000:65536',
  apiAuto: 'API, userns auto',
  apiExplicit: 'API, explicit maps',
} as const;

const MAP_TEXT = '0:100000:65536';
const MAP = [{ containerId: 0, hostId: 100000, size: 65536 }] as const;

export interface UsernsRunCase {
  readonly name: string;
  /** Runs /bin/true once and resolves to the wall time in milliseconds. */
  measure(): Promise<number>;
}

export interface UsernsRunCases {
  readonly cases: readonly UsernsRunCase[];
  /** Id allocations still recorded in the auto roots (0 expected once every run has exited). */
  countLeftAllocations(): Promise<number>;
  close(): Promise<void>;
}

function baseOptions(rootfs: string, userns: RunOptions['userns']): RunOptions {
  return {
    rootfs, args: ['/bin/true'], env: [], volumes: [], tmpfs: [], isReadonlyRootfs: false, capAdd: [], capDrop: [],
    ulimits: [], isPrivileged: false, hasTerminal: false, isInteractive: false, network: 'private', userns,
  };
}

async function countCliAllocations(isolaBin: string, dirs: readonly string[]): Promise<number> {
  const result = await runCommand([isolaBin, ...dirs, 'userns', 'ls', '--format', 'json']);
  if (result.code !== 0) throw new Error(`isola userns ls failed: ${result.stderr.trim()}`);
  // `--format json` is an array of allocations.
  return (JSON.parse(result.stdout) as unknown[]).length;
}

export async function prepareUsernsRunCases(repoDir: string, scratchDir: string, rootfs: string): Promise<UsernsRunCases> {
  const isolaBin = join(repoDir, 'bin/isola');
  // Created here, 0755: isola would create a missing parent of --root 0700 (its mode for the root), and the
  // containers' mapped ids could then not reach the runroot beside it.
  for (const name of ['cli-auto', 'cli-explicit', 'api-auto', 'api-explicit']) {
    for (const dir of ['root', 'run']) await mkdir(join(scratchDir, name, dir), { recursive: true, mode: 0o755 });
  }
  const dirsFor = (name: string) => ['--root', join(scratchDir, name, 'root'), '--runroot', join(scratchDir, name, 'run')];
  const cliAutoDirs = dirsFor('cli-auto');
  const cliRun = (dirs: readonly string[], userns: readonly string[]) =>
    [isolaBin, ...dirs, 'run', '--rm', '--rootfs', rootfs, ...userns, '/bin/true'];
  const autoEngine = await Engine.open({ root: join(scratchDir, 'api-auto/root'), runroot: join(scratchDir, 'api-auto/run') });
  const explicitEngine = await Engine.open({ root: join(scratchDir, 'api-explicit/root'), runroot: join(scratchDir, 'api-explicit/run') });
  const apiRun = (engine: Engine, options: RunOptions) => () => timeCall(async () => {
    const status = await (await engine.run(options)).exited;
    if (status.code !== 0) throw new Error(`engine.run of /bin/true exited with ${status.code ?? `signal ${status.signal}`}`);
  });
  const cases: UsernsRunCase[] = [
    { name: USERNS_CASE.cliAuto, measure: () => timeCommand(cliRun(cliAutoDirs, [])) },
    { name: USERNS_CASE.cliExplicit, measure: () => timeCommand(cliRun(dirsFor('cli-explicit'), ['--uidmap', MAP_TEXT, '--gidmap', MAP_TEXT])) },
    { name: USERNS_CASE.apiAuto, measure: apiRun(autoEngine, baseOptions(rootfs, { kind: 'auto' })) },
    { name: USERNS_CASE.apiExplicit, measure: apiRun(explicitEngine, baseOptions(rootfs, { kind: 'explicit', uidMap: MAP, gidMap: MAP })) },
  ];
  return {
    cases,
    countLeftAllocations: async () =>
      (await countCliAllocations(isolaBin, cliAutoDirs)) + (await autoEngine.listIdAllocations()).allocations.length,
    close: async () => {
      await autoEngine.close();
      await explicitEngine.close();
    },
  };
}
