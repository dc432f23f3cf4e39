/**
 * Rootless without a delegated cgroup (this CI's case): a requested limit is
 * one clear error before anything starts, and no limit means no cgroup.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireCommand, requireRoot } from '../../helpers/requirements.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';
import { prepareRootless, runRootless } from '../rootless/rootless-run.ts';

test('rootless --pids-limit without cgroup delegation fails with one line saying cgroups need root or delegation', async (t) => {
  if (!requireRoot(t, 'creates the rootless test user') || !requireCommand(t, 'newuidmap')) return;
  const setup = await prepareRootless();
  await withTempDirs(async (dirs) => {
    const limited = await runRootless(setup, dirs, ['--userns=keep-id', '--pids-limit', '10', '--', 'echo', 'ran']);
    assert.equal(limited.code, 125, limited.stderr);
    assert.equal(limited.stdout, '', 'the command never ran');
    assert.match(limited.stderr, /^isola: cannot create cgroup .+ \(creating cgroups needs root or a cgroup delegated to this user/);
    assert.equal(limited.stderr.split('\n').length, 2);
    const unlimited = await runRootless(setup, dirs, ['--userns=keep-id', '--', 'cat', '/proc/self/cgroup']);
    assert.equal(unlimited.code, 0, unlimited.stderr);
    assert.doesNotMatch(unlimited.stdout, /\/isola\//, 'no cgroup of its own');
  }, { owner: setup.user });
});
