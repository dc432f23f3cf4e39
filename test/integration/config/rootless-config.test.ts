/**
 * An ordinary user's own isola.toml (under $XDG_CONFIG_HOME) sets its
 * defaults; a broken one is an error naming the file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chown, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requireCommand, requireRoot } from '../../helpers/requirements.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';
import { prepareRootless, runRootless } from '../rootless/rootless-run.ts';

async function writeUserConfig(base: string, owner: { uid: number; gid: number }, toml: string): Promise<string> {
  const configHome = join(base, 'config');
  await mkdir(join(configHome, 'isola'), { recursive: true });
  await writeFile(join(configHome, 'isola', 'isola.toml'), toml);
  for (const path of [configHome, join(configHome, 'isola'), join(configHome, 'isola', 'isola.toml')]) await chown(path, owner.uid, owner.gid);
  return configHome;
}

test('a user\'s configured userns default applies when no mapping flag is given', async (t) => {
  if (!requireRoot(t, 'creates the rootless test user') || !requireCommand(t, 'newuidmap')) return;
  const setup = await prepareRootless();
  await withTempDirs(async (dirs) => {
    const configHome = await writeUserConfig(dirs.base, setup.user, 'userns = "keep-id"\n');
    const r = await runRootless(setup, dirs, ['--', 'id', '-u'], { XDG_CONFIG_HOME: configHome });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), String(setup.user.uid));
  }, { owner: setup.user });
});

test('a broken user configuration is one error line naming the file', async (t) => {
  if (!requireRoot(t, 'creates the rootless test user') || !requireCommand(t, 'newuidmap')) return;
  const setup = await prepareRootless();
  await withTempDirs(async (dirs) => {
    const configHome = await writeUserConfig(dirs.base, setup.user, 'pids_limit = "many"\n');
    const r = await runRootless(setup, dirs, ['--', 'true'], { XDG_CONFIG_HOME: configHome });
    assert.equal(r.code, 125);
    assert.match(r.stderr, /^isola: .*isola\/isola\.toml: pids_limit/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }, { owner: setup.user });
});
