import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { validateOciConfig, validateOciFeatures } from '../../../src/spec/oci-schema.test-helper.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';
import { runRuntime } from './runtime-cli.ts';

test('features prints a document valid against the runtime-spec features schema', async () => {
  const result = await runRuntime(['features']);
  assert.equal(result.code, 0, result.stderr);
  const features = JSON.parse(result.stdout) as { linux: { namespaces: string[] } };
  assert.deepEqual(validateOciFeatures(features), []);
  assert.ok(features.linux.namespaces.includes('user'));
});

test('spec writes a schema-valid config.json, rootless maps the caller, and never overwrites one', async () => {
  await withTempDirs(async ({ root }) => {
    for (const [bundle, flags] of [[join(root, 'a'), []], [join(root, 'b'), ['--rootless']]] as const) {
      await (await import('node:fs/promises')).mkdir(bundle);
      const result = await runRuntime(['spec', '--bundle', bundle, ...flags]);
      assert.equal(result.code, 0, result.stderr);
      const config = JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8')) as { linux?: { uidMappings?: unknown[] } };
      assert.deepEqual(validateOciConfig(config), []);
      assert.equal(config.linux?.uidMappings !== undefined, flags.length > 0);
    }
    const again = await runRuntime(['spec', '--bundle', join(root, 'a')]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists/);
  });
});

test('--version lists the features it was built with', async () => {
  const result = await runRuntime(['--version']);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /^isola-runtime version /);
  assert.match(result.stdout, /\+SECCOMP .*\+USERNS .*\+IDMAP/);
});
