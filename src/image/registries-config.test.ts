import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isInsecureRegistry, parseRegistriesConfig } from './registries-config.ts';

test('search registries and insecure registries come from registries.conf keys', async () => {
  const config = await parseRegistriesConfig([{ file: 'a.toml', text: `
unqualified-search-registries = ["localhost:5000", "docker.io"]
[[registry]]
location = "localhost:5000"
insecure = true
[[registry]]
location = "quay.io"
` }]);
  assert.deepEqual(config.searchRegistries, ['localhost:5000', 'docker.io']);
  assert.equal(isInsecureRegistry(config, 'localhost:5000'), true);
  assert.equal(isInsecureRegistry(config, 'quay.io'), false);
});

test('a later file overrides an earlier one', async () => {
  const config = await parseRegistriesConfig([
    { file: 'a', text: 'unqualified-search-registries = ["a.io"]\n[[registry]]\nlocation = "r.io"\ninsecure = true\n' },
    { file: 'b', text: 'unqualified-search-registries = ["b.io"]\n[[registry]]\nlocation = "r.io"\ninsecure = false\n' },
  ]);
  assert.deepEqual(config.searchRegistries, ['b.io']);
  assert.equal(isInsecureRegistry(config, 'r.io'), false);
});

test('a host entry marks every port of that host insecure', async () => {
  const config = await parseRegistriesConfig([{ file: 'a', text: '[[registry]]\nlocation = "127.0.0.1"\ninsecure = true\n' }]);
  assert.equal(isInsecureRegistry(config, '127.0.0.1:41000'), true);
});

test('unknown keys and wrong types are ISOLA_REGISTRY_CONFIG_INVALID', async () => {
  for (const text of ['mirror = 1', 'unqualified-search-registries = "docker.io"', '[[registry]]\nlocation = 5',
    '[[registry]]\nlocation = "x"\nblocked = true', 'not toml =']) {
    await assert.rejects(parseRegistriesConfig([{ file: 'f', text }]), (err: { code?: string }) => err.code === 'ISOLA_REGISTRY_CONFIG_INVALID', text);
  }
});
