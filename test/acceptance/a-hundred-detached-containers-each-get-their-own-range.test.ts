/**
 * Issue 5, scenario 2: 100 detached containers at once. All run, each with a
 * host range of its own, ps lists them all, and the memory of their monitors
 * (RSS and PSS, from /proc/PID/smaps_rollup) is measured and printed; then
 * all are removed and nothing is left.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ensureHostRootfs } from '../fixtures/host-rootfs.ts';
import { assertNothingLeft, isolaIn, psJson, readMemoryKib } from '../helpers/detached.ts';
import { requireRoot } from '../helpers/requirements.ts';
import { withTempDirs } from '../helpers/temp-dirs.ts';

const COUNT = 100;
/** isola processes at once: each is a Node process of ~50 MB while it runs. */
const PARALLEL = 10;

async function inBatches<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: PARALLEL }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

test('100 detached containers run at once with distinct host ranges, under 1 MiB resident per idle monitor', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const isola = isolaIn(dirs);
    const ids: string[] = [];
    await inBatches([...Array(COUNT).keys()], async (i) => {
      ids.push((await isola.ok('run', '-d', '--name', `c${i}`, '--rootfs', rootfs, '--', 'sleep', '1000')).trim());
    });
    const psStarted = Date.now();
    const ps = await psJson(isola);
    const psMs = Date.now() - psStarted;
    assert.equal(ps.length, COUNT);
    assert.ok(ps.every((entry) => entry.State === 'running'));
    assert.equal((await isola.ok('ps', '-q')).trim().split('\n').length, COUNT);
    const starts = new Set(ps.map((entry) => entry.HostUids[0]?.start));
    assert.equal(starts.size, COUNT, 'every container has a host range of its own');

    const inspected = JSON.parse(await isola.ok('inspect', ...ids)) as { monitorPid: number }[];
    const memory = await Promise.all(inspected.map((entry) => readMemoryKib(entry.monitorPid)));
    const rssKib = memory.reduce((sum, m) => sum + m.rssKib, 0);
    const pssKib = memory.reduce((sum, m) => sum + m.pssKib, 0);
    const report = `${COUNT} monitors: RSS ${rssKib} KiB in all (${(rssKib / COUNT).toFixed(0)} KiB each), `
      + `PSS ${pssKib} KiB in all (${(pssKib / COUNT).toFixed(0)} KiB each); ps -a of all took ${psMs} ms`;
    t.diagnostic(report);
    process.stdout.write(`# ${report}\n`);
    assert.ok(rssKib / COUNT < 1024, report);

    const chunks = Array.from({ length: PARALLEL }, (_, i) => ids.filter((_, j) => j % PARALLEL === i));
    await Promise.all(chunks.map((chunk) => isola.ok('rm', '-f', ...chunk)));
    await assertNothingLeft(isola, dirs, ids);
  });
});
