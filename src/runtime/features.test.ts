import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runtimeFeatures, runtimeVersionText } from './features.ts';
import { defaultSpec } from './default-spec.ts';
import { parseMountOptions } from './mount-options.ts';
import { validateOciConfig, validateOciFeatures } from '../spec/oci-schema.test-helper.ts';

test('features is valid per the runtime-spec features schema', () => {
  assert.deepEqual(validateOciFeatures(runtimeFeatures()), []);
});

test('every mount option features lists is one the runtime parses', () => {
  for (const option of runtimeFeatures().mountOptions) assert.doesNotThrow(() => parseMountOptions([option], '/x'), option);
});

test('--version lists seccomp, capabilities and user namespaces as features', () => {
  const text = runtimeVersionText('isola-runtime', '0.1.0');
  assert.match(text, /^isola-runtime version 0\.1\.0$/m);
  for (const word of ['+SECCOMP', '+CAP', '+USERNS', '-SYSTEMD']) assert.ok(text.split(/\s/).includes(word), word);
});

test('spec writes a valid config for root, and a rootless one that maps the caller to root', () => {
  assert.deepEqual(validateOciConfig(defaultSpec()), []);
  const rootless = defaultSpec({ rootless: { uid: 1000, gid: 1001 } });
  assert.deepEqual(validateOciConfig(rootless), []);
  assert.deepEqual(rootless.linux?.uidMappings, [{ containerID: 0, hostID: 1000, size: 1 }]);
  assert.ok(rootless.linux?.namespaces?.some((ns) => ns.type === 'user'));
  assert.ok(!JSON.stringify(rootless.mounts).includes('gid=5'));
});
