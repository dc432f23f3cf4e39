/**
 * Explicit --uidmap/--gidmap as an ordinary user: ranges from /etc/subuid go
 * through newuidmap/newgidmap; a map of only the user's own ids is written
 * directly and needs no helper; anything else is refused before any process.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { requireCommand, requireRoot } from '../../helpers/requirements.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';
import { prepareRootless, runRootless } from './rootless-run.ts';

// isola looks newuidmap up on the PATH it is given; bin/isola is called by
// absolute path and the container's shell is found on the container's own PATH.
const pathWithoutHelpers = { PATH: '/nonexistent-isola-test' };
const subordinateMaps = ['--uidmap', '0:200000:65536', '--gidmap', '0:200000:65536'];

describe('rootless explicit ID maps', () => {
  test('a map inside the user\'s subordinate range makes the command root inside', async (t) => {
    if (!requireRoot(t, 'creates the rootless test user') || !requireCommand(t, 'newuidmap')) return;
    const setup = await prepareRootless();
    const result = await withTempDirs((dirs) => runRootless(setup, dirs, [...subordinateMaps, '--', 'sh', '-c',
      'id -u; id -g; cat /proc/self/uid_map']), { owner: setup.user });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^0\n0\n\s*0\s+200000\s+65536\n$/);
  });

  test('a host range outside /etc/subuid fails with 125 naming the range and /etc/subuid', async (t) => {
    if (!requireRoot(t, 'creates the rootless test user')) return;
    const setup = await prepareRootless();
    const result = await withTempDirs((dirs) => runRootless(setup, dirs,
      ['--uidmap', '0:300000:1000', '--gidmap', '0:200000:65536', '--', 'true']), { owner: setup.user });
    assert.equal(result.code, 125, result.stderr);
    assert.match(result.stderr, /^isola: [^\n]+\n$/);
    assert.ok(result.stderr.includes('300000'), result.stderr);
    assert.ok(result.stderr.includes('/etc/subuid'), result.stderr);
  });

  test('a single map of the user\'s own ids works without newuidmap, with setgroups denied', async (t) => {
    if (!requireRoot(t, 'creates the rootless test user')) return;
    const setup = await prepareRootless();
    const { uid, gid } = setup.user;
    const result = await withTempDirs((dirs) => runRootless(setup, dirs,
      ['--uidmap', `0:${uid}:1`, '--gidmap', `0:${gid}:1`, '--', 'sh', '-c', 'id -u; cat /proc/self/uid_map /proc/self/setgroups'],
      pathWithoutHelpers), { owner: setup.user });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^0\\n\\s*0\\s+${uid}\\s+1\\ndeny\\n$`));
  });

  test('a multi-range map without newuidmap fails with 125 naming newuidmap and the uidmap package', async (t) => {
    if (!requireRoot(t, 'creates the rootless test user')) return;
    const setup = await prepareRootless();
    const result = await withTempDirs((dirs) => runRootless(setup, dirs, [...subordinateMaps, '--', 'true'],
      pathWithoutHelpers), { owner: setup.user });
    assert.equal(result.code, 125, result.stderr);
    assert.match(result.stderr, /^isola: [^\n]+\n$/);
    assert.ok(result.stderr.includes('newuidmap'), result.stderr);
    assert.ok(result.stderr.includes('uidmap package'), result.stderr);
  });
});
