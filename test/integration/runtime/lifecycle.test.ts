/**
 * bin/isola-runtime through the OCI lifecycle on a real bundle, as
 * containerd and conmon drive it: create, state, start, kill, delete, exec.
 */
import { test } from 'node:test';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import assert from 'node:assert/strict';
import { access, chmod, mkdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { validateOciState } from '../../../src/spec/oci-schema.test-helper.ts';
import { requireRoot } from '../../helpers/requirements.ts';
import { makeBundle } from './bundle.ts';
import type { OciHook } from '../../../src/runtime/index.ts';
import { isAlive, waitUntil } from './processes.ts';
import { runRuntime, runtimeBin, withRuntimeRoot } from './runtime-cli.ts';

/** Exits on SIGTERM, which pid 1 only gets with a handler. */
const WAITS_FOR_TERM = ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 0.05; done'];

async function stateOf(root: string, id: string): Promise<{ status: string; pid: number; id: string; bundle: string }> {
  const result = await runRuntime(['--root', root, 'state', id]);
  assert.equal(result.code, 0, result.stderr);
  const state = JSON.parse(result.stdout) as { status: string; pid: number; id: string; bundle: string };
  assert.deepEqual(validateOciState(state), [], 'the state is valid per the state schema');
  return state;
}

test('create leaves the process unstarted; start runs it; kill 15 stops it; delete removes it', async (t) => {
  if (!requireRoot(t)) return;
  const bundle = await makeBundle({ args: WAITS_FOR_TERM });
  try {
    await withRuntimeRoot(async (root) => {
      const pidFile = join(bundle.dir, 'init.pid');
      const created = await runRuntime(['--root', root, '--log-format', 'json', 'create', '--bundle', bundle.dir, '--pid-file', pidFile, 'c1']);
      assert.equal(created.code, 0, created.stderr);
      const state = await stateOf(root, 'c1');
      assert.equal(state.status, 'created');
      assert.equal(state.bundle, bundle.dir);
      assert.equal(Number(await readFile(pidFile, 'utf8')), state.pid);
      assert.ok(await isAlive(state.pid));
      assert.notEqual((await readFile(`/proc/${state.pid}/cmdline`, 'utf8')).split('\0')[0], 'sh', 'the user process has not started');

      assert.equal((await runRuntime(['--root', root, 'start', 'c1'])).code, 0);
      await waitUntil(async () => (await readFile(`/proc/${state.pid}/cmdline`, 'utf8')).startsWith('sh\0'));
      assert.equal((await stateOf(root, 'c1')).status, 'running');
      assert.equal((await runRuntime(['--root', root, 'start', 'c1'])).code, 1, 'a running container cannot start again');

      assert.equal((await runRuntime(['--root', root, 'kill', 'c1', '15'])).code, 0);
      await waitUntil(async () => (await stateOf(root, 'c1')).status === 'stopped');
      assert.equal((await stateOf(root, 'c1')).pid, 0);

      assert.equal((await runRuntime(['--root', root, 'delete', 'c1'])).code, 0);
      await assert.rejects(access(join(root, 'c1')));
      const gone = await runRuntime(['--root', root, 'state', 'c1']);
      assert.equal(gone.code, 1);
      assert.match(gone.stderr, /c1/);
    });
  } finally {
    await bundle.remove();
  }
});

test('delete of a running container fails without --force, and --force removes it with its cgroup', async (t) => {
  if (!requireRoot(t)) return;
  const bundle = await makeBundle({ args: ['sleep', '600'], edit: (c) => ({ ...c, linux: { ...c.linux, cgroupsPath: `isola-test/rt-${process.pid}` } }) });
  try {
    await withRuntimeRoot(async (root) => {
      assert.equal((await runRuntime(['--root', root, 'run', '--detach', '--bundle', bundle.dir, 'c2'])).code, 0);
      const { pid } = await stateOf(root, 'c2');
      const cgroupLine = (await readFile(`/proc/${pid}/cgroup`, 'utf8')).split('\n').find((l) => l.includes(`rt-${process.pid}`));
      assert.ok(cgroupLine !== undefined, 'the init is in the config\'s cgroupsPath');
      const refused = await runRuntime(['--root', root, 'delete', 'c2']);
      assert.equal(refused.code, 1);
      assert.equal((await stateOf(root, 'c2')).status, 'running');
      assert.equal((await runRuntime(['--root', root, 'delete', '--force', 'c2'])).code, 0);
      await waitUntil(async () => !(await isAlive(pid)));
      const pidsDir = `/sys/fs/cgroup/pids/isola-test/rt-${process.pid}`;
      const unified = `/sys/fs/cgroup/isola-test/rt-${process.pid}`;
      for (const dir of [pidsDir, unified]) await assert.rejects(access(dir), dir);
    });
  } finally {
    await bundle.remove();
  }
});

test('exec runs in the same namespaces and uid map as the container, with its exit status', async (t) => {
  if (!requireRoot(t)) return;
  const bundle = await makeBundle({ args: ['sleep', '600'] });
  try {
    await withRuntimeRoot(async (root) => {
      assert.equal((await runRuntime(['--root', root, 'run', '-d', '--bundle', bundle.dir, 'c3'])).code, 0);
      const { pid } = await stateOf(root, 'c3');
      const exec = await runRuntime(['--root', root, 'exec', 'c3', 'sh', '-c', 'cat /proc/self/uid_map; readlink /proc/self/ns/user /proc/self/ns/pid /proc/self/ns/mnt /proc/self/ns/net']);
      assert.equal(exec.code, 0, exec.stderr);
      const expected = `${await readFile(`/proc/${pid}/uid_map`, 'utf8')}${(await Promise.all(['user', 'pid', 'mnt', 'net'].map((ns) => readlink(`/proc/${pid}/ns/${ns}`)))).join('\n')}\n`;
      assert.equal(exec.stdout, expected);
      assert.equal((await runRuntime(['--root', root, 'exec', 'c3', 'sh', '-c', 'exit 7'])).code, 7);
      const ps = await runRuntime(['--root', root, 'ps', '--format', 'json', 'c3']);
      assert.deepEqual(JSON.parse(ps.stdout), [pid]);
    });
  } finally {
    await bundle.remove();
  }
});

test('run waits for the process, exits with its status and deletes the container; hooks get the state', async (t) => {
  if (!requireRoot(t)) return;
  const bundle = await makeBundle({
    args: ['sh', '-c', 'exit 42'],
    edit: (c) => ({ ...c, hooks: { createRuntime: [{ path: '/bin/sh', args: ['sh', '-c', `cat > ${join(tmpdirOf(c), 'hook-state')}`] }] } }),
  });
  try {
    await withRuntimeRoot(async (root) => {
      const run = await runRuntime(['--root', root, 'run', '--bundle', bundle.dir, 'c4']);
      assert.equal(run.code, 42, run.stderr);
      const hookState = JSON.parse(await readFile(join(bundle.dir, 'hook-state'), 'utf8')) as { id: string; status: string; pid: number };
      assert.deepEqual([hookState.id, hookState.status], ['c4', 'created']);
      assert.ok(hookState.pid > 0);
      assert.deepEqual(validateOciState(hookState), []);
      assert.equal((await runRuntime(['--root', root, 'list', '-q'])).stdout, '');
    });
  } finally {
    await bundle.remove();
  }
});

/** The bundle directory, known from the runtime files spec/ binds from it. */
function tmpdirOf(config: { mounts?: readonly { destination: string; source?: string }[] }): string {
  const source = config.mounts?.find((m) => m.destination === '/etc/hostname')?.source ?? '';
  return source.slice(0, source.lastIndexOf('/'));
}

test('errors go to stderr and, with --log-format json, to the log as JSON with level and msg', async (t) => {
  if (!requireRoot(t)) return;
  await withRuntimeRoot(async (root) => {
    const log = join(root, 'log.json');
    const result = await runRuntime(['--root', root, '--log', log, '--log-format', 'json', 'state', 'missing']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /missing/);
    const line = JSON.parse((await readFile(log, 'utf8')).trim()) as { level: string; msg: string };
    assert.equal(line.level, 'error');
    assert.match(line.msg, /missing/);
  });
});

test('createContainer hooks run before pivot_root and startContainer hooks inside the container, each with the state', async (t) => {
  if (!requireRoot(t)) return;
  let bundleDir = '';
  const bundle = await makeBundle({
    args: ['sleep', '600'],
    edit: (c) => {
      bundleDir = tmpdirOf(c);
      return {
        ...c, hooks: {
          createContainer: [{ path: '/bin/sh', args: ['sh', '-c', `{ cat; echo; readlink /proc/self/ns/mnt; } > ${bundleDir}/out/create-state`] }],
          startContainer: [{ path: '/bin/sh', args: ['sh', '-c', 'cat > /dev/shm/start-state'], timeout: 5 }],
        },
      };
    },
  });
  try {
    await withRuntimeRoot(async (root) => {
      // The hook runs as the container's root, a host id of its own: it needs a directory anyone may write.
      await mkdir(join(bundleDir, 'out'), { mode: 0o777 });
      await chmod(join(bundleDir, 'out'), 0o777);
      const created = await runRuntime(['--root', root, 'create', '--bundle', bundle.dir, 'h1']);
      assert.equal(created.code, 0, created.stderr);
      const { pid } = await stateOf(root, 'h1');
      const [stateText = '', mntNs] = (await readFile(join(bundleDir, 'out', 'create-state'), 'utf8')).split('\n');
      const createState = JSON.parse(stateText) as { id: string; pid: number; status: string };
      assert.deepEqual([createState.id, createState.pid], ['h1', pid]);
      assert.deepEqual(validateOciState(createState), []);
      assert.equal(mntNs, await readlink(`/proc/${pid}/ns/mnt`), 'in the container\'s mount namespace');
      assert.equal((await runRuntime(['--root', root, 'start', 'h1'])).code, 0);
      await waitUntil(async () => (await readFile(`/proc/${pid}/cmdline`, 'utf8')).startsWith('sleep\0'));
      const startState = JSON.parse(await readFile(`/proc/${pid}/root/dev/shm/start-state`, 'utf8')) as { id: string; pid: number };
      assert.deepEqual([startState.id, startState.pid], ['h1', pid]);
      assert.equal((await runRuntime(['--root', root, 'delete', '--force', 'h1'])).code, 0);
    });
  } finally {
    await bundle.remove();
  }
});

test('a failing createContainer hook fails create with its step, leaving nothing', async (t) => {
  if (!requireRoot(t)) return;
  const bundle = await makeBundle({ args: ['true'], edit: (c) => ({ ...c, hooks: { createContainer: [{ path: '/bin/false' }] } }) });
  try {
    await withRuntimeRoot(async (root) => {
      const created = await runRuntime(['--root', root, 'create', '--bundle', bundle.dir, 'h2']);
      assert.equal(created.code, 1);
      assert.match(created.stderr, /run-hook/);
      assert.equal((await runRuntime(['--root', root, 'list', '-q'])).stdout, '');
    });
  } finally {
    await bundle.remove();
  }
});

test('delete of a created container kills its blocked init without --force, as runc does', async (t) => {
  if (!requireRoot(t)) return;
  const bundle = await makeBundle({ args: ['true'] });
  try {
    await withRuntimeRoot(async (root) => {
      assert.equal((await runRuntime(['--root', root, 'create', '--bundle', bundle.dir, 'd1'])).code, 0);
      const { pid, status } = await stateOf(root, 'd1');
      assert.equal(status, 'created');
      assert.equal((await runRuntime(['--root', root, 'delete', 'd1'])).code, 0);
      await waitUntil(async () => !(await isAlive(pid)));
      assert.equal((await runRuntime(['--root', root, 'list', '-q'])).stdout, '');
    });
  } finally {
    await bundle.remove();
  }
});

/** A failing hook, then one that appends `name` to <dir>/ran: the second must still run. */
function failingThenMarking(dir: string, name: string): OciHook[] {
  return [{ path: '/bin/sh', args: ['sh', '-c', 'echo hook broke >&2; exit 9'] }, { path: '/bin/sh', args: ['sh', '-c', `echo ${name} >> ${dir}/ran`] }];
}

async function warningLines(log: string): Promise<Array<{ level: string; msg: string }>> {
  return (await readFile(log, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { level: string; msg: string });
}

test('a failing poststop hook is a warning in the log; the next hook runs and delete still removes the container', async (t) => {
  if (!requireRoot(t)) return;
  let dir = '';
  const bundle = await makeBundle({ args: ['true'], edit: (c) => { dir = tmpdirOf(c); return { ...c, hooks: { poststop: failingThenMarking(dir, 'poststop') } }; } });
  try {
    await withRuntimeRoot(async (root) => {
      const log = join(root, 'log.json');
      assert.equal((await runRuntime(['--root', root, 'create', '--bundle', bundle.dir, 'w1'])).code, 0);
      const deleted = await runRuntime(['--root', root, '--log', log, '--log-format', 'json', 'delete', 'w1']);
      assert.equal(deleted.code, 0, deleted.stderr);
      assert.match(deleted.stderr, /warning: poststop hook \/bin\/sh exited with status 9: hook broke/);
      const lines = await warningLines(log);
      assert.deepEqual(lines.map((l) => l.level), ['warning']);
      assert.match(lines[0]!.msg, /poststop/);
      assert.equal(await readFile(join(dir, 'ran'), 'utf8'), 'poststop\n');
      assert.equal((await runRuntime(['--root', root, 'list', '-q'])).stdout, '');
    });
  } finally {
    await bundle.remove();
  }
});

test('a failing poststart hook is a warning: start and run succeed, the next hook runs, the process runs on', async (t) => {
  if (!requireRoot(t)) return;
  let dir = '';
  const bundle = await makeBundle({ args: WAITS_FOR_TERM, edit: (c) => { dir = tmpdirOf(c); return { ...c, hooks: { poststart: failingThenMarking(dir, 'poststart') } }; } });
  try {
    await withRuntimeRoot(async (root) => {
      const log = join(root, 'log.txt');
      assert.equal((await runRuntime(['--root', root, 'create', '--bundle', bundle.dir, 'w2'])).code, 0);
      const started = await runRuntime(['--root', root, '--log', log, 'start', 'w2']);
      assert.equal(started.code, 0, started.stderr);
      assert.match(started.stderr, /warning: poststart hook \/bin\/sh exited with status 9/);
      assert.match(await readFile(log, 'utf8'), /^time="[^"]+" level=warning msg=".*poststart hook/);
      assert.equal(await readFile(join(dir, 'ran'), 'utf8'), 'poststart\n');
      assert.equal((await stateOf(root, 'w2')).status, 'running');
      assert.equal((await runRuntime(['--root', root, 'delete', '--force', 'w2'])).code, 0);

    });
  } finally {
    await bundle.remove();
  }
});

test('run with a failing poststart hook warns in the JSON log and exits with the process\'s status', async (t) => {
  if (!requireRoot(t)) return;
  let dir = '';
  const bundle = await makeBundle({ args: ['sh', '-c', 'exit 4'], edit: (c) => { dir = tmpdirOf(c); return { ...c, hooks: { poststart: failingThenMarking(dir, 'poststart') } }; } });
  try {
    await withRuntimeRoot(async (root) => {
      const log = join(root, 'log.json');
      const run = await runRuntime(['--root', root, '--log', log, '--log-format', 'json', 'run', '--bundle', bundle.dir, 'w3']);
      assert.equal(run.code, 4, run.stderr);
      assert.match(run.stderr, /warning: poststart hook/);
      assert.deepEqual((await warningLines(log)).map((l) => l.level), ['warning']);
      assert.equal(await readFile(join(dir, 'ran'), 'utf8'), 'poststart\n');
      assert.equal((await runRuntime(['--root', root, 'list', '-q'])).stdout, '');
    });
  } finally {
    await bundle.remove();
  }
});

test('SIGTERM sent to isola-runtime run reaches the container, whose status it exits with', async (t) => {
  if (!requireRoot(t)) return;
  const bundle = await makeBundle({ args: ['sh', '-c', 'trap "exit 7" TERM; while :; do sleep 0.05; done'] });
  try {
    await withRuntimeRoot(async (root) => {
      const run = spawn(runtimeBin, ['--root', root, 'run', '--bundle', bundle.dir, 's1'], { stdio: 'ignore' });
      const exited = once(run, 'exit');
      await waitUntil(async () => (await stateOf(root, 's1').catch(() => ({ status: 'none' }))).status === 'running');
      run.kill('SIGTERM');
      const [code] = await exited as [number | null];
      assert.equal(code, 7);
      assert.equal((await runRuntime(['--root', root, 'list', '-q'])).stdout, '', 'run deletes the container');
    });
  } finally {
    await bundle.remove();
  }
});
