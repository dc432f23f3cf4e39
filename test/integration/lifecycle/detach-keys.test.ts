/**
 * Detach keys on a real terminal: ctrl-p,ctrl-q (or --detach-keys) ends
 * `attach` and `start -ai` with status 0 and leaves the container running, as
 * in docker and podman.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { assertNothingLeft, inspect, isolaIn } from '../../helpers/detached.ts';
import { requireCommand, requireRoot } from '../../helpers/requirements.ts';
import { isolaBin } from '../../helpers/run-cli.ts';
import { startOnTerminal } from '../../helpers/terminal-session.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';

const ECHO_LOOP = ['sh', '-c', 'while read line; do echo "got $line"; done'];

test('ctrl-p,ctrl-q detaches attach and leaves the container running; --detach-keys changes the keys', async (t) => {
  if (!requireRoot(t) || !requireCommand(t, 'script')) return;
  const rootfs = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const isola = isolaIn(dirs);
    await isola.ok('run', '-d', '-t', '--name', 'a', '--rootfs', rootfs, '--', ...ECHO_LOOP);
    const first = startOnTerminal([isolaBin, ...dirs.args, 'attach', 'a']);
    await first.typeUntil('hello\r', 'got hello');
    first.type('\x10\x11');
    assert.equal(await first.exited, 0, first.output());
    assert.equal((await inspect(isola, 'a')).state, 'running');

    const second = startOnTerminal([isolaBin, ...dirs.args, 'attach', '--detach-keys', 'ctrl-a,x', 'a']);
    // The default keys are ordinary input now: they reach the container's line.
    await second.typeUntil('\x10\x11x\r', 'got ');
    second.type('\x01x');
    assert.equal(await second.exited, 0, second.output());
    assert.equal((await inspect(isola, 'a')).state, 'running');

    const refused = await isola('attach', '--detach-keys', 'alt-x', 'a');
    assert.equal(refused.code, 125);
    await isola.ok('rm', '-f', 'a');
    await assertNothingLeft(isola, dirs, []);
  });
});

test('start -ai relays a terminal to a created container and detaches on ctrl-p,ctrl-q', async (t) => {
  if (!requireRoot(t) || !requireCommand(t, 'script')) return;
  const rootfs = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const isola = isolaIn(dirs);
    await isola.ok('create', '-t', '--name', 'once', '--rootfs', rootfs, '--', 'sh', '-c', 'read line; echo "got $line"; exit 3');
    const once = startOnTerminal([isolaBin, ...dirs.args, 'start', '-ai', 'once']);
    await once.typeUntil('hi\r', 'got hi');
    assert.equal(await once.exited, 3, once.output());

    await isola.ok('create', '-t', '--name', 'loop', '--rootfs', rootfs, '--', ...ECHO_LOOP);
    const loop = startOnTerminal([isolaBin, ...dirs.args, 'start', '-ai', 'loop']);
    await loop.typeUntil('hello\r', 'got hello');
    loop.type('\x10\x11');
    assert.equal(await loop.exited, 0, loop.output());
    assert.equal((await inspect(isola, 'loop')).state, 'running');
    await isola.ok('rm', '-f', 'once', 'loop');
    await assertNothingLeft(isola, dirs, []);
  });
});
