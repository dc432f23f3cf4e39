import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkContainerName, normalizeCreateOptions, parseRestartPolicy, restartText } from './create-options.ts';
import { signalNumber } from './signals.ts';

test('restart policies parse as docker spells them and print back the same', () => {
  assert.deepEqual(parseRestartPolicy(undefined), { name: 'no' });
  assert.deepEqual(parseRestartPolicy('always'), { name: 'always' });
  assert.deepEqual(parseRestartPolicy('on-failure'), { name: 'on-failure', maxRetries: undefined });
  assert.deepEqual(parseRestartPolicy('on-failure:3'), { name: 'on-failure', maxRetries: 3 });
  assert.equal(restartText(parseRestartPolicy('on-failure:3')), 'on-failure:3');
});

test('a restart policy with a count where none belongs, or an unknown one, is refused', () => {
  for (const bad of ['always:2', 'no:1', 'sometimes', 'on-failure:x', 'on-failure:1:2']) {
    assert.throws(() => parseRestartPolicy(bad), (err: { code?: string }) => err.code === 'ISOLA_INVALID_OPTION', bad);
  }
});

test('names start with a letter or digit and hold only letters, digits, _ . -', () => {
  assert.equal(checkContainerName('web-1.a_b'), 'web-1.a_b');
  for (const bad of ['', '-web', 'a b', 'a/b', 'x'.repeat(129)]) {
    assert.throws(() => checkContainerName(bad), (err: { code?: string }) => err.code === 'ISOLA_INVALID_OPTION', bad);
  }
});

test('the API\'s short forms normalize to run options with every default filled in', () => {
  const { stored, name, restart, isAutoRemove } = normalizeCreateOptions({ rootfs: '/r', cmd: ['id'], userns: 'auto:size=1024', pidsLimit: 100 });
  assert.deepEqual(stored.run.args, ['id']);
  assert.deepEqual(stored.run.userns, { kind: 'auto', size: 1024 });
  assert.equal(stored.run.pidsLimit, 100);
  assert.deepEqual([stored.run.env, stored.run.volumes, stored.run.network, stored.run.isInteractive], [[], [], 'private', false]);
  assert.deepEqual([stored.stopSignal, stored.logMaxBytes, name, restart, isAutoRemove], [15, 10 * 1024 * 1024, undefined, { name: 'no' }, false]);
});

test('a container needs a command, given once', () => {
  assert.throws(() => normalizeCreateOptions({ rootfs: '/r' }), (err: { code?: string }) => err.code === 'ISOLA_INVALID_OPTION');
  assert.throws(() => normalizeCreateOptions({ rootfs: '/r', cmd: ['a'], args: ['b'] }), (err: { code?: string }) => err.code === 'ISOLA_INVALID_OPTION');
});

test('signals are named with or without SIG, in any case, or by number', () => {
  assert.equal(signalNumber('TERM', '-s'), 15);
  assert.equal(signalNumber('sigkill', '-s'), 9);
  assert.equal(signalNumber('10', '-s'), 10);
  assert.throws(() => signalNumber('NOPE', '-s'), (err: { code?: string }) => err.code === 'ISOLA_INVALID_OPTION');
  assert.throws(() => signalNumber('0', '-s'), (err: { code?: string }) => err.code === 'ISOLA_INVALID_OPTION');
});

test('a container needs exactly one of a rootfs directory and layers, and keeps the layers and image it was given', () => {
  for (const options of [{ cmd: ['id'] }, { rootfs: '/r', rootfsLayers: ['/l'], cmd: ['id'] }, { rootfsLayers: [], cmd: ['id'] }]) {
    assert.throws(() => normalizeCreateOptions(options), (err: { code?: string }) => err.code === 'ISOLA_INVALID_OPTION', JSON.stringify(options));
  }
  const { stored } = normalizeCreateOptions({ rootfsLayers: ['/l1', '/l2'], cmd: ['id'] }, { id: 'abc', name: 'bb:1' });
  assert.deepEqual(stored.run.rootfsLayers, ['/l1', '/l2']);
  assert.deepEqual(stored.image, { id: 'abc', name: 'bb:1' });
  assert.equal(normalizeCreateOptions({ rootfs: '/r', cmd: ['id'] }).stored.image, undefined);
});
