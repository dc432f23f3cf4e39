import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAuthChallenge } from './registry-auth.ts';

test('a Bearer challenge yields its realm, service and scope', () => {
  const challenge = parseAuthChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"');
  assert.deepEqual(challenge, { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' } });
});

test('a Basic challenge is recognised and unknown schemes are not', () => {
  assert.equal(parseAuthChallenge('Basic realm="Registry Realm"')?.scheme, 'basic');
  assert.equal(parseAuthChallenge('Negotiate abc'), undefined);
  assert.equal(parseAuthChallenge(null), undefined);
});
