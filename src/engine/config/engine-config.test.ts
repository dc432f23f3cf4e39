import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeEngineConfigs, parseEngineConfig } from './engine-config.ts';
import { loadEngineConfig } from './load-config.ts';

test('every documented key parses into its typed field', () => {
  const config = parseEngineConfig(`userns = "remap:bob"\nauto_size = 1024\npids_limit = 0\ndefault_ulimits = ["nofile=1024:2048", "nproc=99"]\n[pool]\nstart = 3000000000\nsize = 65536\n`, 'a.toml');
  assert.equal(config.userns, 'remap:bob');
  assert.equal(config.autoSize, 1024);
  assert.equal(config.pidsLimit, 0);
  assert.deepEqual(config.defaultUlimits, [{ name: 'nofile', soft: 1024, hard: 2048 }, { name: 'nproc', soft: 99, hard: 99 }]);
  assert.deepEqual(config.pool, { start: 3000000000, size: 65536 });
});

const bad: Array<[string, string]> = [
  ['an unknown key', 'usrens = "auto"'],
  ['a wrong type', 'auto_size = "big"'],
  ['a negative pids limit', 'pids_limit = -1'],
  ['a zero auto size', 'auto_size = 0'],
  ['a malformed ulimit', 'default_ulimits = ["nofile=lots"]'],
  ['an unknown ulimit', 'default_ulimits = ["files=1"]'],
  ['a pool past 2^32-1', '[pool]\nstart = 4294967000\nsize = 65536'],
  ['an unknown pool key', '[pool]\nstart = 1\nsize = 1\nend = 2'],
  ['broken TOML', 'userns = '],
];
for (const [name, text] of bad) {
  test(`${name} is an error naming the file`, () => {
    assert.throws(() => parseEngineConfig(text, '/etc/isola/isola.toml'), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ISOLA_CONFIG_INVALID');
      assert.match(error.message, /^\/etc\/isola\/isola\.toml: /);
      return true;
    });
  });
}

test('later files override earlier ones key by key', () => {
  const merged = mergeEngineConfigs([{ userns: 'auto', pidsLimit: 100 }, { pidsLimit: 5 }]);
  assert.deepEqual(merged, { userns: 'auto', pidsLimit: 5 });
});

test('missing files are no configuration and present ones are merged in order', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'isola-config-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'b.toml'), 'pids_limit = 7\n');
  const config = await loadEngineConfig([join(dir, 'missing.toml'), join(dir, 'b.toml')]);
  assert.deepEqual(config, { pidsLimit: 7 });
});
