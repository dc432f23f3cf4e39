/**
 * Acceptance 2 of issue #3: fifty `isola run --rm` started together all get
 * pairwise disjoint host uid and gid ranges, seen from the host in
 * /proc/PID/{uid,gid}_map while they all run, and once they have exited
 * `isola userns ls` is empty.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { requireRoot } from '../../helpers/requirements.ts';
import { runIsola } from '../../helpers/run-cli.ts';
import type { CommandResult } from '../../helpers/run-command.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';
import { createBarrier } from '../../helpers/barrier.ts';
import { hostRangesOverlap, parseMapLines, pidsByEnvEntry, type MapLine } from './userns-run.ts';

const COUNT = 50;

/**
 * The map of the first of `pids` still there: the marker is also carried by the
 * container's short-lived `sleep` processes, which may be gone by now.
 */
async function readMapOfAny(pids: readonly number[], file: string, marker: string): Promise<MapLine[]> {
  for (const pid of pids) {
    const text = await readFile(`/proc/${pid}/${file}`, 'utf8').catch(() => undefined);
    if (text !== undefined) return parseMapLines(text);
  }
  throw new Error(`no live host process carries ${marker}`);
}

test('fifty concurrent containers get pairwise disjoint host uid and gid ranges, all released afterwards', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  const barrier = await createBarrier();
  t.after(() => barrier.remove());
  await withTempDirs(async (dirs) => {
    const markers = Array.from({ length: COUNT }, (_, i) => `ISOLA_TEST_USERNS=${process.pid}-${i}`);
    const runs = markers.map((marker, i) => runIsola([...dirs.args, 'run', '--rm', '--rootfs', rootfs, ...barrier.volume, '-e', marker,
      '--', 'sh', '-c', `cat /proc/self/uid_map /proc/self/gid_map; ${barrier.arriveAndWait(`c${i}`)}`], { timeoutMs: 180_000 }));
    let uidMaps: MapLine[][] = [];
    let gidMaps: MapLine[][] = [];
    let results: CommandResult[] = [];
    try {
      // Only while all of them run is a shared range a conflict: one that ended may be reused.
      await barrier.waitForArrivals(COUNT, 150_000);
      const pids = await pidsByEnvEntry(markers);
      const readMaps = (file: string) => Promise.all(markers.map((marker) => readMapOfAny(pids.get(marker) ?? [], file, marker)));
      uidMaps = await readMaps('uid_map');
      gidMaps = await readMaps('gid_map');
    } finally {
      // Every container must have seen the barrier open before the test removes it.
      await barrier.release();
      results = await Promise.all(runs);
    }
    for (const [i, result] of results.entries()) {
      assert.equal(result.code, 0, result.stderr);
      const inside = parseMapLines(result.stdout);
      assert.deepEqual(inside, [...(uidMaps[i] ?? []), ...(gidMaps[i] ?? [])], 'the map inside is the one the host shows');
    }
    for (const [kind, maps] of [['uid', uidMaps], ['gid', gidMaps]] as const) {
      const lines = maps.map((map) => {
        assert.equal(map.length, 1, `one ${kind} map line`);
        const [line] = map;
        assert.ok(line !== undefined && line.inside === 0 && line.size === 65536 && line.outside >= 2 ** 31, JSON.stringify(map));
        return line;
      });
      for (const [i, a] of lines.entries()) {
        for (const b of lines.slice(i + 1)) assert.ok(!hostRangesOverlap(a, b), `${kind} ranges ${JSON.stringify(a)} and ${JSON.stringify(b)} overlap`);
      }
    }
    const ls = await runIsola([...dirs.args, 'userns', 'ls', '--format', 'json']);
    assert.equal(ls.code, 0, ls.stderr);
    assert.deepEqual(JSON.parse(ls.stdout), []);
  });
});
