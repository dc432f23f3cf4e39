/**
 * isola.toml defaults applied to real containers through the Engine API: the
 * container writes what it sees into a host directory bound in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../../src/engine/index.ts';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { requireRoot } from '../../helpers/requirements.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';

async function runWithConfig(toml: string, script: string): Promise<{ output: string; notes: readonly string[] }> {
  const rootfs = await ensureHostRootfs();
  const out = await mkdtemp(join(tmpdir(), 'isola-config-out-'));
  try {
    await chmod(out, 0o777);
    await writeFile(join(out, 'isola.toml'), toml);
    return await withTempDirs(async (dirs) => {
      const engine = await Engine.open({ root: dirs.root, runroot: dirs.runroot, configFiles: [join(out, 'isola.toml')] });
      try {
        const container = await engine.run({
          rootfs, args: ['sh', '-c', `(${script}) > /out/result 2>&1`], env: [], volumes: [{ source: out, destination: '/out', isReadonly: false }],
          tmpfs: [], isReadonlyRootfs: false, capAdd: [], capDrop: [], ulimits: [], isPrivileged: false, hasTerminal: false,
          isInteractive: false, network: 'private',
        });
        await container.exited;
        return { output: await readFile(join(out, 'result'), 'utf8'), notes: container.notes };
      } finally {
        await engine.close();
      }
    });
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

test('the configured pool gives containers ids from it', async (t) => {
  if (!requireRoot(t)) return;
  const { output } = await runWithConfig('[pool]\nstart = 3000000000\nsize = 131072\n', 'cat /proc/self/uid_map');
  assert.deepEqual(output.trim().split(/\s+/).map(Number), [0, 3000000000, 65536]);
});

test('the configured auto size and userns default apply without a mapping flag', async (t) => {
  if (!requireRoot(t)) return;
  const { output } = await runWithConfig('userns = "auto"\nauto_size = 1000\n', 'cat /proc/self/uid_map');
  assert.equal(Number(output.trim().split(/\s+/)[2]), 1000);
  const host = await runWithConfig('userns = "host"\n', 'cat /proc/self/uid_map');
  assert.deepEqual(host.output.trim().split(/\s+/).map(Number), [0, 0, 4294967295]);
});

test('default ulimits apply, and one above the host hard limit is lowered with a note', async (t) => {
  if (!requireRoot(t)) return;
  const { output } = await runWithConfig('default_ulimits = ["nproc=50:60"]\n', 'grep "Max processes" /proc/self/limits');
  assert.match(output, /Max processes\s+50\s+60\s/);
  const hardNofile = Number(/Max open files\s+\S+\s+(\d+)/.exec(await readFile('/proc/self/limits', 'utf8'))?.[1]);
  const capEff = BigInt(`0x${/CapEff:\s*(\w+)/.exec(await readFile('/proc/self/status', 'utf8'))?.[1]}`);
  if (((capEff >> 24n) & 1n) === 1n) return; // this host may raise hard limits: nothing is lowered
  const lowered = await runWithConfig(`default_ulimits = ["nofile=1024:${hardNofile + 1000}"]\n`, 'ulimit -Hn');
  assert.equal(lowered.output.trim(), String(hardNofile));
  assert.equal(lowered.notes.length, 1);
});

test('the configured pids limit lands in the container\'s cgroup', async (t) => {
  if (!requireRoot(t)) return;
  const { output } = await runWithConfig('pids_limit = 7\n', 'sh -c "for i in 1 2 3 4 5 6 7 8 9; do sleep 2 & done; wait"; echo inner=$?');
  assert.match(output, /fork|Resource temporarily unavailable/i);
  assert.match(output, /inner=[1-9]/);
});
