import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireRoot } from '../../helpers/requirements.ts';
import { runInContainer } from './run-in-container.ts';

const script = (text: string) => ['sh', '-c', text];

test('-u with names resolves them from the rootfs, with supplementary groups', async (t) => {
  if (!requireRoot(t)) return;
  const r = await runInContainer(['-u', 'tester'], ['id']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /uid=1000\(tester\) gid=1000\(tester\) groups=1000\(tester\),50\(staff\)/);
});

test('-u with an unknown name fails before anything runs', async (t) => {
  if (!requireRoot(t)) return;
  const r = await runInContainer(['-u', 'nosuchuser'], ['id']);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /^isola: .*nosuchuser/);
});

test('-e, --env-file and -w reach the process', async (t) => {
  if (!requireRoot(t)) return;
  const dir = await mkdtemp(join(tmpdir(), 'isola-env-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'env'), '# comment\nFROM_FILE=yes\nA=from-file\n');
  const r = await runInContainer(['--env-file', join(dir, 'env'), '-e', 'A=1', '-w', '/tmp'], script('echo $A $FROM_FILE; pwd'));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['1 yes', '/tmp']);
});

test('root gets docker\'s 14 capabilities and --cap-drop removes one', async (t) => {
  if (!requireRoot(t)) return;
  const r = await runInContainer([], script('grep CapEff /proc/self/status'));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'CapEff:\t00000000a80425fb');
  const dropped = await runInContainer(['--cap-drop', 'CHOWN'], script('grep CapEff /proc/self/status'));
  assert.equal(dropped.stdout.trim(), 'CapEff:\t00000000a80425fa');
});

test('a non-root user starts with no effective capabilities', async (t) => {
  if (!requireRoot(t)) return;
  const r = await runInContainer(['-u', '1000'], script('grep -E "CapEff|CapBnd" /proc/self/status'));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /CapEff:\t0000000000000000/);
  assert.match(r.stdout, /CapBnd:\t00000000a80425fb/);
});

test('--ulimit sets the limit and one above the host hard limit is an error', async (t) => {
  if (!requireRoot(t)) return;
  const r = await runInContainer(['--ulimit', 'nofile=512:1024'], script('ulimit -n; ulimit -Hn'));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['512', '1024']);
  const hostHard = Number(/Max open files\s+\S+\s+(\d+)/.exec(await readFile('/proc/self/limits', 'utf8'))?.[1]);
  const capEff = BigInt(`0x${/CapEff:\s*(\w+)/.exec(await readFile('/proc/self/status', 'utf8'))?.[1]}`);
  const canRaise = ((capEff >> 24n) & 1n) === 1n;
  const above = await runInContainer(['--ulimit', `nofile=1024:${hostHard + 1}`], ['true']);
  if (canRaise) {
    assert.equal(above.code, 0, above.stderr);
  } else {
    assert.equal(above.code, 125);
    assert.match(above.stderr, /^isola: --ulimit: .*CAP_SYS_RESOURCE/);
  }
});

test('--read-only makes the rootfs read-only but --tmpfs gives a writable directory', async (t) => {
  if (!requireRoot(t)) return;
  const r = await runInContainer(['--read-only', '--tmpfs', '/scratch'], script('touch /x 2>/dev/null || echo ro; touch /scratch/x && echo rw'));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['ro', 'rw']);
});

test('-v HOST:CTR:ro is read-only inside', async (t) => {
  if (!requireRoot(t)) return;
  const dir = await mkdtemp(join(tmpdir(), 'isola-vol-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await chmod(dir, 0o755);
  await writeFile(join(dir, 'f'), 'hello\n', { mode: 0o644 });
  const r = await runInContainer(['-v', `${dir}:/data:ro`], script('cat /data/f; echo x >> /data/f || echo refused'));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['hello', 'refused']);
});

test('stdin reaches the container only with -i', async (t) => {
  if (!requireRoot(t)) return;
  const withI = await runInContainer(['-i'], ['cat'], { input: 'piped\n' });
  assert.equal(withI.stdout, 'piped\n');
  const withoutI = await runInContainer([], ['cat'], { input: 'piped\n' });
  assert.equal(withoutI.stdout, '');
});
