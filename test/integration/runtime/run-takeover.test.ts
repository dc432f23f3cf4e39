/**
 * `isola-runtime run` of a container that needs nothing of Node once it is
 * gone (no hooks, no cgroup) hands its pid to the shim: `state` still finds
 * the init, and the shim removes the state when the container exits.
 */
import { test } from 'node:test';
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { validateOciState } from '../../../src/spec/oci-schema.test-helper.ts';
import { requireRoot } from '../../helpers/requirements.ts';
import { makeBundle } from './bundle.ts';
import { runRuntime, runtimeBin, withRuntimeRoot } from './runtime-cli.ts';

const shimPath = join(import.meta.dirname, '..', '..', '..', 'build', 'isola-shim');

test('run becomes the shim: state reports the running init by its pid, and the state is gone after the exit', async (t) => {
  if (!requireRoot(t)) return;
  const bundle = await makeBundle({ args: ['sh', '-c', 'trap "exit 5" TERM; echo ready; while :; do sleep 0.05; done'] });
  try {
    await withRuntimeRoot(async (root) => {
      const child = spawn(runtimeBin, ['--root', root, 'run', '--bundle', bundle.dir, 'r1'], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      assert.equal(await readlink(`/proc/${child.pid}/exe`), shimPath);
      const state = await runRuntime(['--root', root, 'state', 'r1']);
      const parsed = JSON.parse(state.stdout) as { status: string; pid: number };
      assert.deepEqual(validateOciState(parsed), []);
      assert.equal(parsed.status, 'running');
      assert.equal((await readFile(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8')).trim(), String(parsed.pid));
      assert.equal((await runRuntime(['--root', root, 'kill', 'r1', '15'])).code, 0);
      assert.equal(await exited, 5);
      assert.equal((await readdir(root)).includes('r1'), false, 'the shim removed the state directory');
    });
  } finally {
    await bundle.remove();
  }
});

test('a run that fails to start says why on stderr and in the JSON log, exits 1 and leaves no state', async (t) => {
  if (!requireRoot(t)) return;
  const bundle = await makeBundle({ args: ['/no/such/command'] });
  try {
    await withRuntimeRoot(async (root) => {
      const log = join(root, 'log.json');
      const run = await runRuntime(['--root', root, '--log', log, '--log-format', 'json', 'run', '--bundle', bundle.dir, 'r2']);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /^isola-runtime: exec failed for "\/no\/such\/command": ENOENT/);
      const lines = (await readFile(log, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { level: string; msg: string });
      assert.deepEqual(lines.map((l) => l.level), ['error']);
      assert.match(lines[0]!.msg, /exec failed/);
      assert.equal((await runRuntime(['--root', root, 'list', '-q'])).stdout, '');
    });
  } finally {
    await bundle.remove();
  }
});
