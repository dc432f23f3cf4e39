/**
 * --userns=auto as an ordinary user: the pool is the user's own subordinate
 * range, one container takes a block sized to fit it, and a second one at the
 * same time is told the range is used up.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rootlessSubordinateRange as subRange } from '../../helpers/rootless-user.ts';
import { requireCommand, requireRoot } from '../../helpers/requirements.ts';
import { runIsola } from '../../helpers/run-cli.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';
import { prepareRootless, runRootless } from '../rootless/rootless-run.ts';
import { createBarrier } from '../../helpers/barrier.ts';
import { parseMapLines } from './userns-run.ts';

test('a rootless container gets the user\'s subordinate range by default, and a second one at the same time fails', async (t) => {
  if (!requireRoot(t, 'creates the rootless test user') || !requireCommand(t, 'newuidmap')) return;
  const setup = await prepareRootless();
  const barrier = await createBarrier();
  t.after(() => barrier.remove());
  await withTempDirs(async (dirs) => {
    const first = runRootless(setup, dirs, [...barrier.volume, '--', 'sh', '-c', `cat /proc/self/uid_map; ${barrier.arriveAndWait('first')}`]);
    try {
      await barrier.waitForArrivals(1);
      const second = await runRootless(setup, dirs, ['--', 'true']);
      assert.equal(second.code, 125, second.stderr);
      assert.match(second.stderr, /^isola: [^\n]+\n?$/);
      assert.ok(second.stderr.includes('no free block'), second.stderr);
    } finally {
      // The container must see the barrier open before the test removes it.
      await barrier.release();
      await first;
    }
    const result = await first;
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(parseMapLines(result.stdout), [{ inside: 0, outside: subRange.start, size: subRange.count }]);
    const ls = await runIsola([...dirs.args, 'userns', 'ls', '--format', 'json'], { user: setup.user });
    assert.equal(ls.code, 0, ls.stderr);
    assert.deepEqual(JSON.parse(ls.stdout), []);
  }, { owner: setup.user });
});
