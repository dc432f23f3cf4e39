import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { isolaBin, runIsola } from '../../helpers/run-cli.ts';
import { requireRoot } from '../../helpers/requirements.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';
import { MAP, runInContainer } from './run-in-container.ts';

test('the container\'s exit status is isola\'s', async (t) => {
  if (!requireRoot(t)) return;
  assert.equal((await runInContainer([], ['sh', '-c', 'exit 42'])).code, 42);
});

test('a missing command exits 127 and a non-executable one 126, each with one line', async (t) => {
  if (!requireRoot(t)) return;
  const missing = await runInContainer([], ['/no/such/command']);
  assert.equal(missing.code, 127);
  assert.match(missing.stderr, /^isola: exec failed for "\/no\/such\/command": ENOENT \(.+\)\n$/);
  const notExecutable = await runInContainer([], ['/etc/passwd']);
  assert.equal(notExecutable.code, 126);
  assert.equal(notExecutable.stderr.split('\n').length, 2);
});

// A missing one is made (workdir.test.ts); the shared rootfs must not change, so a file here.
test('a working directory that is not a directory is an error naming it', async (t) => {
  if (!requireRoot(t)) return;
  const r = await runInContainer(['-w', '/etc/passwd'], ['true']);
  assert.equal(r.code, 126);
  assert.match(r.stderr, /chdir failed for "\/etc\/passwd": ENOTDIR/);
});

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2'] as const) {
  test(`${signal} sent to isola reaches the container's pid 1`, async (t) => {
    if (!requireRoot(t)) return;
    const rootfs = await ensureHostRootfs();
    await withTempDirs(async (dirs) => {
      const name = signal.slice(3);
      const child = spawn(isolaBin, [...dirs.args, 'run', '--rm', '--rootfs', rootfs, ...MAP, '--',
        'sh', '-c', `trap "echo caught ${name}; exit 3" ${name}; echo ready; while :; do sleep 0.1; done`], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let isSent = false;
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (!isSent && out.includes('ready')) isSent = child.kill(signal);
      });
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      assert.equal(out, `ready\ncaught ${name}\n`);
      assert.equal(code, 3);
    });
  });
}

test('a runroot under a directory only its owner may search fails with one line naming that directory, and leaves nothing', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  const top = await mkdtemp(join(tmpdir(), 'isola-private-'));
  t.after(() => rm(top, { recursive: true, force: true }));
  await chmod(top, 0o755);
  const privateDir = join(top, 'private');
  await mkdir(privateDir, { mode: 0o700 });
  const runroot = join(privateDir, 'run');
  const r = await runIsola(['--root', join(top, 'root'), '--runroot', runroot, 'run', '--rm', '--rootfs', rootfs, ...MAP, '--', 'true']);
  assert.equal(r.code, 125);
  assert.equal(r.stderr.split('\n').length, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`cannot search ${privateDir} \\(mode 0700\\)`));
  assert.deepEqual(await readdir(join(runroot, 'containers')), []);
});
