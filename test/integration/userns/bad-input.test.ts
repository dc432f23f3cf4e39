/**
 * Acceptance 4 of issue #3, the id part: a full pool, a size larger than the
 * pool, a malformed /etc/subuid line, remap: a user without an entry, and a size
 * that is not a number each fail with exit status 125 and one `isola:` line,
 * and leave no allocation behind.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { requireRoot } from '../../helpers/requirements.ts';
import { runIsola } from '../../helpers/run-cli.ts';
import type { CommandResult } from '../../helpers/run-command.ts';
import { withTempDirs, type TempDirs } from '../../helpers/temp-dirs.ts';
import { createBarrier } from '../../helpers/barrier.ts';
import { runIsolaWithSubids, type SubidFiles } from './userns-run.ts';

const onePoolBlock: SubidFiles = { subuid: 'isola:3000000000:65536\n', subgid: 'isola:3000000000:65536\n' };

function assertOneErrorLine(result: CommandResult, word: string): void {
  assert.equal(result.code, 125, result.stderr);
  assert.match(result.stderr, /^isola: [^\n]+\n?$/);
  assert.ok(result.stderr.includes(word), `expected the error to name ${word}: ${result.stderr}`);
}

async function listAllocations(dirs: TempDirs, files: SubidFiles = onePoolBlock): Promise<unknown[]> {
  const ls = await runIsolaWithSubids(files, [...dirs.args, 'userns', 'ls', '--format', 'json']);
  assert.equal(ls.code, 0, ls.stderr);
  return JSON.parse(ls.stdout) as unknown[];
}

test('a full pool fails the next container and allocates nothing', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  const barrier = await createBarrier();
  t.after(() => barrier.remove());
  await withTempDirs(async (dirs) => {
    const holder = runIsolaWithSubids(onePoolBlock, [...dirs.args, 'run', '--rm', '--rootfs', rootfs, ...barrier.volume,
      '--', 'sh', '-c', barrier.arriveAndWait('holder')]);
    try {
      await barrier.waitForArrivals(1);
      const second = await runIsolaWithSubids(onePoolBlock, [...dirs.args, 'run', '--rm', '--rootfs', rootfs, '--', 'true']);
      assertOneErrorLine(second, 'no free block');
      assert.equal((await listAllocations(dirs)).length, 1, 'only the holder\'s range');
    } finally {
      // The holder must see the barrier open before the test removes it.
      await barrier.release();
      await holder;
    }
    assert.equal((await holder).code, 0);
    assert.deepEqual(await listAllocations(dirs), []);
  });
});

const badInputs: ReadonlyArray<readonly [string, SubidFiles, readonly string[], string]> = [
  ['a size larger than the pool', onePoolBlock, ['--userns=auto:size=65537'], 'do not fit'],
  ['a malformed /etc/subuid line', { subuid: 'isola:3000000000\n', subgid: onePoolBlock.subgid }, [], 'line 1'],
  ['remap: a user with no entry', onePoolBlock, ['--userns=remap:isola-no-such-user'], 'isola-no-such-user'],
  ['a size that is not a number', onePoolBlock, ['--userns=auto:size=many'], '--userns'],
  ['a size of zero', onePoolBlock, ['--userns=auto:size=0'], '--userns'],
];

for (const [what, files, flags, word] of badInputs) {
  test(`${what} is one clear error and allocates nothing`, async (t) => {
    if (!requireRoot(t)) return;
    const rootfs = await ensureHostRootfs();
    await withTempDirs(async (dirs) => {
      const result = await runIsolaWithSubids(files, [...dirs.args, 'run', '--rm', '--rootfs', rootfs, ...flags, '--', 'true']);
      assertOneErrorLine(result, word);
      // Listed with the host's own files: the malformed ones would fail the listing too.
      const ls = await runIsola([...dirs.args, 'userns', 'ls', '--format', 'json']);
      assert.equal(ls.code, 0, ls.stderr);
      assert.deepEqual(JSON.parse(ls.stdout), []);
    });
  });
}
