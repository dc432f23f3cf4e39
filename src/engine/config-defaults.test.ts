import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyConfigDefaults } from './config-defaults.ts';

const options = {
  rootfs: '/r', args: ['true'], env: [], volumes: [], tmpfs: [], isReadonlyRootfs: false, capAdd: [], capDrop: [], ulimits: [],
  isPrivileged: false, hasTerminal: false, isInteractive: false, network: 'private' as const,
};

test('without a mapping flag or configuration a container gets auto', () => {
  assert.deepEqual(applyConfigDefaults(options, {}, undefined).options.userns, { kind: 'auto' });
});

test('the configured userns and auto size apply only when the caller chose nothing', () => {
  const config = { userns: 'remap:bob', autoSize: 1024 };
  assert.deepEqual(applyConfigDefaults(options, config, undefined).options.userns, { kind: 'remap', user: 'bob' });
  assert.deepEqual(applyConfigDefaults({ ...options, userns: { kind: 'auto' } }, config, undefined).options.userns, { kind: 'auto', size: 1024 });
  assert.deepEqual(applyConfigDefaults({ ...options, userns: { kind: 'auto', size: 7 } }, config, undefined).options.userns, { kind: 'auto', size: 7 });
  assert.deepEqual(applyConfigDefaults({ ...options, userns: { kind: 'host' } }, config, undefined).options.userns, { kind: 'host' });
});

test('a malformed configured userns is an error naming the config key', () => {
  assert.throws(() => applyConfigDefaults(options, { userns: 'sometimes' }, undefined), (e: Error & { code?: string }) =>
    e.code === 'ISOLA_INVALID_OPTION' && e.message.includes('isola.toml'));
});

test('the configured pids limit applies unless --pids-limit is given, and 0 means none', () => {
  assert.equal(applyConfigDefaults(options, { pidsLimit: 100 }, undefined).options.pidsLimit, 100);
  assert.equal(applyConfigDefaults({ ...options, pidsLimit: 5 }, { pidsLimit: 100 }, undefined).options.pidsLimit, 5);
  assert.equal(applyConfigDefaults(options, { pidsLimit: 0 }, undefined).options.pidsLimit, undefined);
});

test('configured ulimits join the defaults, and one above the host hard limit is noted', () => {
  const run = applyConfigDefaults(options, { defaultUlimits: [{ name: 'nproc', soft: 10, hard: 500 }, { name: 'nofile', soft: 64, hard: 99999 }] }, { RLIMIT_NOFILE: 20000 });
  assert.deepEqual(run.rlimitDefaults, [{ type: 'RLIMIT_NOFILE', soft: 64, hard: 99999 }, { type: 'RLIMIT_NPROC', soft: 10, hard: 500 }]);
  assert.equal(run.notes.length, 1);
  assert.match(run.notes[0]!, /nofile lowered to .* 20000/);
});
