import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSignal } from './oci-delete.ts';
import { cgroupfsPath } from './oci-create.ts';
import { runHooks, runHooksPastFailures } from './hooks.ts';

test('signals are taken as numbers, names and SIG names', () => {
  assert.equal(parseSignal('9'), 9);
  assert.equal(parseSignal('TERM'), 15);
  assert.equal(parseSignal('SIGKILL'), 9);
  assert.equal(parseSignal('sigusr1'), 10);
  for (const bad of ['0', '65', 'NOPE', '-1', '']) assert.throws(() => parseSignal(bad), { code: 'ISOLA_RUNTIME_INVALID_SIGNAL' }, bad);
});

test('a systemd slice:prefix:name path becomes the cgroupfs path of its scope', () => {
  assert.equal(cgroupfsPath('machine.slice:libpod:abc', 'systemd'), 'machine.slice/libpod-abc.scope');
  assert.equal(cgroupfsPath(':crio:abc', 'systemd'), 'system.slice/crio-abc.scope');
  assert.equal(cgroupfsPath('/isola/abc', 'cgroupfs'), '/isola/abc');
});

test('hooks get the state on stdin, their own args and env', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'isola-hooks-'));
  try {
    const out = join(dir, 'out');
    await runHooks([{ path: '/bin/sh', args: ['hook-name', '-c', `{ echo "$0 $1 $X"; cat; } > ${out}`, 'zero', 'one'], env: ['X=y'] }],
      'createRuntime', { id: 'c1', status: 'created' });
    assert.equal(await readFile(out, 'utf8'), 'zero one y\n{"id":"c1","status":"created"}');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a failing hook and a hook past its timeout are ISOLA_RUNTIME_HOOK_FAILED', async () => {
  await assert.rejects(runHooks([{ path: '/bin/sh', args: ['sh', '-c', 'exit 3'] }], 'prestart', {}), { code: 'ISOLA_RUNTIME_HOOK_FAILED' });
  await assert.rejects(runHooks([{ path: '/bin/sh', args: ['sh', '-c', 'sleep 10'], timeout: 1 }], 'prestart', {}), { code: 'ISOLA_RUNTIME_HOOK_FAILED' });
  await assert.rejects(runHooks([{ path: '/nonexistent/hook' }], 'poststop', {}), { code: 'ISOLA_RUNTIME_HOOK_FAILED' });
});

test('poststart and poststop hooks all run: each failure is handed on and the next hook still runs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'isola-hooks-'));
  try {
    const out = join(dir, 'out');
    const failures: unknown[] = [];
    await runHooksPastFailures([
      { path: '/bin/sh', args: ['sh', '-c', 'exit 3'] }, { path: '/bin/sh', args: ['sh', '-c', `echo second >> ${out}`] },
      { path: '/nonexistent/hook' }, { path: '/bin/sh', args: ['sh', '-c', `echo fourth >> ${out}`] },
    ], 'poststart', {}, (error) => failures.push(error));
    assert.equal(await readFile(out, 'utf8'), 'second\nfourth\n');
    assert.deepEqual(failures.map((e) => (e as { code: string }).code), ['ISOLA_RUNTIME_HOOK_FAILED', 'ISOLA_RUNTIME_HOOK_FAILED']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
