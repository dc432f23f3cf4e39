import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { cacheDirFor, cacheFileOf, commandKeyOf, GLOBAL_VALUE_FLAGS, readCache } from './code-cache.ts';
import { GLOBAL_FLAGS as ISOLA_GLOBAL_FLAGS } from './main.ts';
import { GLOBAL_FLAGS as RUNTIME_GLOBAL_FLAGS } from './runtime/main.ts';

const repoDir = join(import.meta.dirname, '..', '..');
const runtimeNode = join(repoDir, 'node_modules', 'node', 'bin', 'node');
const run = promisify(execFile);

/** A copy of the built executable in a directory of its own, so a test sees its cache from the first run. */
async function copyOfDist(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dist = await mkdtemp(join(tmpdir(), 'isola-code-cache-dist-'));
  t.after(() => rm(dist, { recursive: true, force: true }));
  for (const name of ['isola.cjs', 'isola.bundle.cjs']) await copyFile(join(repoDir, 'dist', name), join(dist, name));
  return dist;
}

describe('which command a command line trains the cache for', () => {
  test('the first plain word, after global flags and their paths', () => {
    assert.equal(commandKeyOf(['--root', '/var/lib/x', 'run', '--rm', 'busybox']), 'run');
    assert.equal(commandKeyOf(['ps', '-a']), 'ps');
  });

  test('a command line without a word has a key of its own', () => {
    assert.equal(commandKeyOf(['--version']), 'none');
  });

  test("a global flag's value is not the command, with one dash, two, or an =", () => {
    assert.equal(commandKeyOf(['--root', 'state', '--log', 'log.json', '--log-format', 'json', 'create', '--bundle', 'b', 'x']), 'create');
    assert.equal(commandKeyOf(['-root', 'state', '--debug', 'start', 'x']), 'start');
    assert.equal(commandKeyOf(['--log-format=json', '--cgroup-manager', 'systemd', 'delete', 'x']), 'delete');
    assert.equal(commandKeyOf(['--runroot', 'run', 'ps']), 'ps');
  });

  test('the flags skipped are the value-taking global flags of isola and isola-runtime', () => {
    const valueFlags = [...ISOLA_GLOBAL_FLAGS, ...RUNTIME_GLOBAL_FLAGS].filter((flag) => flag.takesValue).map((flag) => flag.name);
    assert.deepEqual([...GLOBAL_VALUE_FLAGS].sort(), [...new Set(valueFlags)].sort());
  });
});

describe('where the cache lives', () => {
  test('beside the bundle when the user owns its directory', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'isola-code-cache-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const bundle = join(dir, 'isola.bundle.cjs');
    await writeFile(bundle, '');
    assert.equal(cacheDirFor(bundle, { XDG_CACHE_HOME: '/x' }, (await stat(dir)).uid), join(dir, 'code-cache'));
  });

  test("under the user's cache directory when someone else owns the bundle", async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'isola-code-cache-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const bundle = join(dir, 'isola.bundle.cjs');
    await writeFile(bundle, '');
    const otherUid = (await stat(dir)).uid + 1;
    assert.equal(cacheDirFor(bundle, { XDG_CACHE_HOME: '/home/u/.cache' }, otherUid), '/home/u/.cache/isola/code-cache');
    assert.equal(cacheDirFor(bundle, { HOME: '/home/u' }, otherUid), '/home/u/.cache/isola/code-cache');
    assert.equal(cacheDirFor(bundle, {}, otherUid), undefined);
  });

  test('each command has a file of its own', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'isola-code-cache-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const bundle = join(dir, 'isola.bundle.cjs');
    await writeFile(bundle, 'a');
    const info = await stat(bundle);
    assert.notEqual(cacheFileOf(dir, bundle, info, 'run'), cacheFileOf(dir, bundle, info, 'ps'));
  });

  test('a rebuilt bundle of the same size gets another file', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'isola-code-cache-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const bundle = join(dir, 'isola.bundle.cjs');
    await writeFile(bundle, 'a');
    const first = cacheFileOf(dir, bundle, await stat(bundle), 'run');
    await rm(bundle);
    await writeFile(bundle, 'b');
    assert.notEqual(cacheFileOf(dir, bundle, await stat(bundle), 'run'), first);
  });
});

describe('which cache is read', () => {
  test("only this user's, and not one others may write", async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'isola-code-cache-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'c.cache');
    await writeFile(file, 'bytes', { mode: 0o600 });
    const uid = (await stat(file)).uid;
    assert.equal(readCache(file, uid)?.toString(), 'bytes');
    assert.equal(readCache(file, uid + 1), undefined);
    await chmod(file, 0o622);
    assert.equal(readCache(file, uid), undefined);
    assert.equal(readCache(join(dir, 'missing.cache'), uid), undefined);
  });
});

describe('the built executable', { skip: !existsSync(join(repoDir, 'dist', 'isola.cjs')) && 'dist/ is not built' }, () => {
  test('writes a cache per command that V8 takes on the next run, once, and none for a failed run', async (t) => {
    const dist = await copyOfDist(t);
    const isola = (...args: string[]) => run(runtimeNode, [join(dist, 'isola.cjs'), ...args]);
    await mkdir(join(dist, 'code-cache'));
    const earlierBuild = join(dist, 'code-cache', 'isola.bundle.cjs-1-2-3.none.cache');
    await writeFile(earlierBuild, 'old');
    await isola('--version');
    assert.ok(!existsSync(earlierBuild), "an earlier build's cache is removed");
    const files = await readdir(join(dist, 'code-cache'));
    const cache = files.find((name) => name.endsWith('.none.cache'));
    assert.ok(cache !== undefined, `no cache among ${files.join(', ')}`);
    // V8 refuses a cache made under other flags or from another source: check in a plain run of the same Node.
    const check = `const { readFileSync } = require('node:fs'); const { Script } = require('node:vm');
      const bundle = ${JSON.stringify(join(dist, 'isola.bundle.cjs'))};
      const script = new Script(readFileSync(bundle, 'utf8'), { filename: bundle, cachedData: readFileSync(${JSON.stringify(join(dist, 'code-cache', cache))}) });
      process.stdout.write(String(script.cachedDataRejected));`;
    assert.equal((await run(runtimeNode, ['-e', check])).stdout, 'false');
    const written = (await stat(join(dist, 'code-cache', cache))).mtimeMs;
    await isola('--help');
    assert.equal((await stat(join(dist, 'code-cache', cache))).mtimeMs, written, 'a trained command is not trained again');
    await isola('images', '--help');
    assert.ok((await readdir(join(dist, 'code-cache'))).some((name) => name.endsWith('.images.cache')));
    await assert.rejects(isola('no-such-command'));
    assert.ok(!(await readdir(join(dist, 'code-cache'))).some((name) => name.includes('no-such-command')), 'a failed run trains nothing');
  });

  test('holds no dynamic import(), which code compiled by node:vm cannot load', async () => {
    for (const name of ['isola.bundle.cjs', 'isola-runtime.bundle.cjs']) {
      const source = await readFile(join(repoDir, 'dist', name), 'utf8');
      // `async import(...) {` is a method named import, not a module load.
      assert.deepEqual(source.match(/(?<!async |[.\w])import\(/g), null, name);
    }
  });

  test("uses no cache from a directory another user owns", { skip: process.getuid?.() !== 0 && 'needs root to chown' }, async (t) => {
    const dist = await copyOfDist(t);
    await mkdir(join(dist, 'home'));
    await chown(dist, 65534, 65534);
    await run(runtimeNode, [join(dist, 'isola.cjs'), '--version'], { env: { HOME: join(dist, 'home') } });
    assert.ok(!existsSync(join(dist, 'code-cache')));
    assert.equal((await readdir(join(dist, 'home', '.cache', 'isola', 'code-cache'))).length, 1);
  });
});
