/**
 * --userns=keep-id as an ordinary user: the user's own uid inside, mapped to
 * itself, with the subordinate ranges around it; the host sees the user.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rootlessSubordinateRange as subRange } from '../../helpers/rootless-user.ts';
import { requireCommand, requireRoot } from '../../helpers/requirements.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';
import { killQuietly, newEnvMarker, parseProcIdMap, readHostIds, waitForPidWithEnvEntry } from '../../acceptance/host-processes.ts';
import { prepareRootless, runRootless } from './rootless-run.ts';

describe('rootless --userns=keep-id', () => {
  test('runs the command as the user\'s own uid with that uid mapped to itself', async (t) => {
    if (!requireRoot(t, 'creates the rootless test user') || !requireCommand(t, 'newuidmap')) return;
    const setup = await prepareRootless();
    const { uid } = setup.user;
    const result = await withTempDirs((dirs) => runRootless(setup, dirs,
      ['--userns=keep-id', '--', 'sh', '-c', 'id -u; cat /proc/self/uid_map']), { owner: setup.user });
    assert.equal(result.code, 0, result.stderr);
    const [idLine, ...mapLines] = result.stdout.split('\n');
    assert.equal(idLine, String(uid));
    const map = parseProcIdMap(mapLines.join('\n'));
    assert.deepEqual(map.filter(([inside]) => inside === uid), [[uid, uid, 1]]);
    const others = map.filter(([inside]) => inside !== uid);
    assert.ok(others.length > 0, 'the subordinate ranges are mapped too');
    for (const [, outside = -1, length = 0] of others) {
      assert.ok(outside >= subRange.start && outside + length <= subRange.start + subRange.count,
        `host range ${outside}+${length} lies in the user's subordinate range`);
    }
  });

  test('shows the container\'s process under the user\'s uid on the host', async (t) => {
    if (!requireRoot(t, 'creates the rootless test user') || !requireCommand(t, 'newuidmap')) return;
    const setup = await prepareRootless();
    await withTempDirs(async (dirs) => {
      const marker = newEnvMarker();
      const run = runRootless(setup, dirs, ['--userns=keep-id', '-e', marker, '--', 'sleep', '30']);
      let pid = 0;
      try {
        pid = await waitForPidWithEnvEntry(marker);
        const ids = await readHostIds(pid);
        assert.deepEqual([ids.uid, ids.gid], [setup.user.uid, setup.user.gid]);
      } finally {
        if (pid !== 0) killQuietly(pid);
      }
      const result = await run;
      assert.equal(result.code, 137, result.stderr);
    }, { owner: setup.user });
  });
});
