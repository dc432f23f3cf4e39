/**
 * What the OCI runtime-tools validation programs found in isola-runtime, each
 * kept as a real container run: a missing command fails `create`, a shared
 * rootfsPropagation, a seccomp profile older than close_range, and a mount
 * namespace joined by path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, readlink } from 'node:fs/promises';
import { requireCommand, requireRoot } from '../../helpers/requirements.ts';
import { makeBundle } from './bundle.ts';
import { waitUntil } from './processes.ts';
import { runRuntime, withRuntimeRoot } from './runtime-cli.ts';
import type { OciConfig } from '../../../src/runtime/index.ts';

test('create fails, naming the command, when the command is not in the container, and leaves no container', async (t) => {
  if (!requireRoot(t)) return;
  const bundle = await makeBundle({ args: ['no-such-command'] });
  try {
    await withRuntimeRoot(async (root) => {
      const created = await runRuntime(['--root', root, 'create', '--bundle', bundle.dir, 'c1']);
      assert.equal(created.code, 1);
      assert.match(created.stderr, /no-such-command/);
      assert.equal((await runRuntime(['--root', root, 'list', '-q'])).stdout, '');
    });
  } finally {
    await bundle.remove();
  }
});

test('a shared rootfsPropagation makes the container\'s root shared, which pivot_root alone would refuse', async (t) => {
  if (!requireRoot(t)) return;
  const bundle = await makeBundle({
    args: ['cat', '/proc/self/mountinfo'],
    edit: (config) => ({ ...config, linux: { ...config.linux, rootfsPropagation: 'shared' } }),
  });
  try {
    await withRuntimeRoot(async (root) => {
      const run = await runRuntime(['--root', root, 'run', '--bundle', bundle.dir, 'c1']);
      assert.equal(run.code, 0, run.stderr);
      const rootLine = run.stdout.split('\n').find((line) => line.split(' ')[4] === '/');
      assert.match(rootLine ?? '', / shared:\d+ /);
    });
  } finally {
    await bundle.remove();
  }
});

test('a seccomp profile that refuses close_range still starts the process', async (t) => {
  if (!requireRoot(t)) return;
  const withProfile = (config: OciConfig): OciConfig => ({
    ...config, process: { ...config.process!, noNewPrivileges: false },
    linux: { ...config.linux, seccomp: { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['close_range'], action: 'SCMP_ACT_ERRNO' }] } },
  });
  const bundle = await makeBundle({ args: ['echo', 'started'], edit: withProfile });
  try {
    await withRuntimeRoot(async (root) => {
      const run = await runRuntime(['--root', root, 'run', '--bundle', bundle.dir, 'c1']);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, 'started\n');
    });
  } finally {
    await bundle.remove();
  }
});

test('a container joining a mount namespace by path sets its rootfs up in that namespace, not the host\'s', async (t) => {
  if (!requireRoot(t) || !requireCommand(t, 'unshare')) return;
  const holder = spawn('unshare', ['--mount', '--propagation', 'private', 'sleep', '1000'], { stdio: 'ignore' });
  try {
    const pid = holder.pid!;
    // Until unshare has exec'd sleep, its mount namespace is still the host's.
    const hostMountns = await readLink('/proc/self/ns/mnt');
    await waitUntil(async () => (await readLink(`/proc/${pid}/ns/mnt`)) !== hostMountns);
    const bundle = await makeBundle({
      args: ['cat', '/proc/self/mountinfo'], hasUserns: false,
      edit: (config) => ({
        ...config, linux: {
          ...config.linux,
          namespaces: (config.linux?.namespaces ?? []).map((ns) => ns.type === 'mount' ? { type: 'mount', path: `/proc/${pid}/ns/mnt` } : ns),
        },
      }),
    });
    try {
      await withRuntimeRoot(async (root) => {
        const mountsBefore = await readMountinfo('/proc/self/mountinfo');
        const run = await runRuntime(['--root', root, 'run', '--bundle', bundle.dir, 'c1']);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, / \/proc \S+ - proc proc /);
        assert.deepEqual(await readMountinfo('/proc/self/mountinfo'), mountsBefore);
      });
    } finally {
      await bundle.remove();
    }
  } finally {
    holder.kill('SIGKILL');
    await once(holder, 'exit');
  }
});

async function readLink(path: string): Promise<string> {
  return readlink(path).catch(() => '');
}

/** The host's mount points under the temp dirs tests use (other tests mount elsewhere meanwhile). */
async function readMountinfo(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8')).split('\n').map((line) => line.split(' ')[4] ?? '').filter((point) => point.includes('isola-bundle-'));
}
