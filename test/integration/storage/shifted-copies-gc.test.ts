/**
 * The chowned layer copies (the fallback when ID-mapped mounts cannot be
 * used, forced here with --rootfs-copy) live as long as a container uses
 * them: a foreground run's go when it ends, a recorded container's at its
 * `rm` or `prune`, one still in use stays, and what a killed isola left is
 * collected by `system prune`. Nothing stays mounted.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { isolaIn } from '../../helpers/detached.ts';
import { requireRoot } from '../../helpers/requirements.ts';
import { isolaBin, runIsola } from '../../helpers/run-cli.ts';
import { withBarrier } from '../../helpers/barrier.ts';
import { withTempDirs, type TempDirs } from '../../helpers/temp-dirs.ts';

const MAP = ['--uidmap', '0:720000:65536', '--gidmap', '0:720000:65536'];

let base = '';
let top = '';

function shiftedDir(dirs: TempDirs): string {
  return join(dirs.root, 'storage', 'shifted');
}

/** The copies, their metadata and use records (locks and trash aside). */
async function copies(dirs: TempDirs): Promise<string[]> {
  return (await readdir(shiftedDir(dirs)).catch(() => [] as string[])).filter((n) => /^[0-9a-f]{32}(\.json|\.users)?$/.test(n)).sort();
}

/**
 * Everything under storage/shifted once the background deletion is done.
 * Polls: deleting a copy's files happens after the command returns.
 */
async function shiftedAfterDeletion(dirs: TempDirs): Promise<string[]> {
  for (let i = 0; i < 600; i++) {
    const left = await readdir(shiftedDir(dirs)).catch(() => [] as string[]);
    if (!left.some((n) => n.startsWith('.trash-'))) return left;
    await sleep(100);
  }
  return readdir(shiftedDir(dirs));
}

async function mountsMentioning(dirs: TempDirs): Promise<string[]> {
  return (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter((line) => line.includes(dirs.base));
}

function layerArgs(rootfs: string): string[] {
  return ['--layer', rootfs, '--layer', top];
}

describe('chowned layer copies', () => {
  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'isola-shifted-gc-'));
    top = join(base, 'top');
    await mkdir(join(top, 'etc'), { recursive: true });
    await writeFile(join(top, 'etc', 'layer-file'), 'x\n');
    for (const path of [base, top, join(top, 'etc')]) await chmod(path, 0o755);
  });
  after(() => rm(base, { recursive: true, force: true }));

  test('a foreground run --rm removes the copies it made when it ends, leaving no mount', async (t) => {
    if (!requireRoot(t)) return;
    await withTempDirs(async (dirs) => {
      const rootfs = await ensureHostRootfs();
      const result = await runIsola([...dirs.args, 'run', '--rm', '--rootfs-copy', ...MAP, ...layerArgs(rootfs), '--',
        'cat', '/etc/layer-file']);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, 'x\n');
      assert.deepEqual(await copies(dirs), []);
      assert.deepEqual(await shiftedAfterDeletion(dirs), []);
      assert.deepEqual(await mountsMentioning(dirs), []);
    });
  });

  test('a copy in use stays while another container with the same map comes and goes', async (t) => {
    if (!requireRoot(t)) return;
    await withBarrier((barrier) => withTempDirs(async (dirs) => {
      const rootfs = await ensureHostRootfs();
      const holder = runIsola([...dirs.args, 'run', '--rm', '--rootfs-copy', ...MAP, ...barrier.volume, ...layerArgs(rootfs), '--',
        'sh', '-c', barrier.arriveAndWait('started')]);
      await barrier.waitForArrivals(1);
      const held = await copies(dirs);
      assert.equal(held.filter((n) => /^[0-9a-f]{32}$/.test(n)).length, 2, 'one copy per layer');
      const other = await runIsola([...dirs.args, 'run', '--rm', '--rootfs-copy', ...MAP, ...layerArgs(rootfs), '--', 'cat', '/etc/layer-file']);
      assert.equal(other.code, 0, other.stderr);
      assert.deepEqual(await copies(dirs), held, 'shared, and kept for the container still using them');
      await barrier.release();
      assert.equal((await holder).code, 0);
      assert.deepEqual(await copies(dirs), []);
      assert.deepEqual(await shiftedAfterDeletion(dirs), []);
    }));
  });

  test('a recorded container keeps its copies while stopped; rm and prune remove them', async (t) => {
    if (!requireRoot(t)) return;
    await withTempDirs(async (dirs) => {
      const isola = isolaIn(dirs);
      const rootfs = await ensureHostRootfs();
      for (const removal of ['rm', 'prune'] as const) {
        await isola.ok('run', '-d', '--name', 'keeper', '--rootfs-copy', ...MAP, ...layerArgs(rootfs), '--', 'true');
        await isola.ok('wait', 'keeper');
        assert.equal((await copies(dirs)).filter((n) => /^[0-9a-f]{32}$/.test(n)).length, 2, 'kept while the container exists');
        await isola.ok('start', 'keeper');
        await isola.ok('wait', 'keeper');
        await (removal === 'rm' ? isola.ok('rm', 'keeper') : isola.ok('prune'));
        assert.deepEqual(await copies(dirs), [], `after ${removal}`);
      }
      assert.deepEqual(await shiftedAfterDeletion(dirs), []);
      assert.deepEqual(await mountsMentioning(dirs), []);
    });
  });

  test('system prune removes the copies of a foreground run whose isola was killed', async (t) => {
    if (!requireRoot(t)) return;
    await withBarrier((barrier) => withTempDirs(async (dirs) => {
      const rootfs = await ensureHostRootfs();
      const child = spawn(isolaBin, [...dirs.args, 'run', '--rm', '--rootfs-copy', ...MAP, ...barrier.volume, ...layerArgs(rootfs), '--',
        'sh', '-c', barrier.arriveAndWait('started')], { stdio: 'ignore' });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await barrier.waitForArrivals(1);
      const isola = isolaIn(dirs);
      const stdout = await isola.ok('system', 'prune');
      assert.match(stdout, /Deleted layer copies: 0/, 'the running container\'s monitor still holds them');
      assert.equal((await copies(dirs)).filter((n) => /^[0-9a-f]{32}$/.test(n)).length, 2);
      // bin/isola is a shell script that execs node: this pid is the isola process.
      child.kill('SIGKILL');
      await exited;
      await barrier.release();
      // The container ends on its own; then nothing holds its copies.
      let pruned = '';
      for (let i = 0; i < 200 && !/Deleted layer copies: 2/.test(pruned); i++) {
        await sleep(100);
        pruned = await isola.ok('system', 'prune');
      }
      assert.match(pruned, /Deleted layer copies: 2/);
      assert.deepEqual(await copies(dirs), []);
      assert.deepEqual(await shiftedAfterDeletion(dirs), []);
    }));
  });
});
