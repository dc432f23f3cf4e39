/**
 * The Engine API keeps one shim ready after a foreground run (launch/spare-shim.ts),
 * which the next run takes instead of forking this process again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Engine, type RunOptions } from '../../../src/engine/index.ts';
import { requireRoot } from '../../helpers/requirements.ts';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';
import { isAlive, waitUntil } from '../runtime/processes.ts';

const shimPath = join(import.meta.dirname, '..', '..', '..', 'build', 'isola-shim');
const MAP = [{ containerId: 0, hostId: 100000, size: 65536 }];

function runOptions(rootfs: string, args: string[]): RunOptions {
  return {
    rootfs, args, env: [], volumes: [], tmpfs: [], isReadonlyRootfs: false, capAdd: [], capDrop: [], ulimits: [],
    isPrivileged: false, hasTerminal: false, isInteractive: false, network: 'private', userns: { kind: 'explicit', uidMap: MAP, gidMap: MAP },
  };
}

/** This process's children that are idle shims. */
async function childShims(): Promise<number[]> {
  const children = (await readFile(`/proc/self/task/${process.pid}/children`, 'utf8')).trim().split(' ').filter((p) => p !== '');
  const shims: number[] = [];
  for (const pid of children) {
    if (await readlink(`/proc/${pid}/exe`).catch(() => '') === shimPath) shims.push(Number(pid));
  }
  return shims;
}

/** Field 4 of /proc/PID/stat. */
function parentOf(stat: string): number {
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

test('after a foreground run the engine keeps a shim ready, and the next run is monitored by it', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const engine = await Engine.open({ root: dirs.root, runroot: dirs.runroot, configFiles: [] });
    try {
      assert.equal((await (await engine.run(runOptions(rootfs, ['/bin/true']))).exited).code, 0);
      let spares: number[] = [];
      await waitUntil(async () => (spares = await childShims()).length === 1);
      const second = await engine.run(runOptions(rootfs, ['sh', '-c', 'sleep 0.3']));
      assert.equal(parentOf(await readFile(`/proc/${second.pid}/stat`, 'utf8')), spares[0]);
      assert.equal((await second.exited).code, 0);
    } finally {
      await engine.close();
    }
  });
});

test('a spare shim keeps no program alive, and goes when it exits', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const script = `
      import { Engine } from ${JSON.stringify(join(import.meta.dirname, '..', '..', '..', 'src', 'engine', 'index.ts'))};
      const map = [{ containerId: 0, hostId: 100000, size: 65536 }];
      const engine = await Engine.open({ root: ${JSON.stringify(dirs.root)}, runroot: ${JSON.stringify(dirs.runroot)}, configFiles: [] });
      const c = await engine.run({ rootfs: ${JSON.stringify(rootfs)}, args: ['/bin/true'], env: [], volumes: [], tmpfs: [], isReadonlyRootfs: false,
        capAdd: [], capDrop: [], ulimits: [], isPrivileged: false, hasTerminal: false, isInteractive: false, network: 'private',
        userns: { kind: 'explicit', uidMap: map, gidMap: map } });
      await c.exited;
      await new Promise((resolve) => setTimeout(resolve, 200));
      const children = (await import('node:fs')).readFileSync('/proc/self/task/' + process.pid + '/children', 'utf8').trim();
      console.log(children);
      await engine.close();`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0);
    const spares = out.trim().split(' ').filter((p) => p !== '').map(Number);
    assert.equal(spares.length, 1, `one spare shim, got ${out}`);
    await waitUntil(async () => !(await isAlive(spares[0]!)), 5000);
  });
});
