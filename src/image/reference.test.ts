import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatReference, parseReference, withRegistry } from './reference.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;

function full(text: string): string {
  return formatReference(parseReference(text).reference);
}

test('a bare name is docker.io/library with the latest tag', () => {
  assert.equal(full('busybox'), 'docker.io/library/busybox:latest');
  assert.equal(parseReference('busybox').isShortName, true);
});

test('a two-component name without a registry keeps its path on docker.io', () => {
  assert.equal(full('library/busybox:1.36'), 'docker.io/library/busybox:1.36');
  assert.equal(full('someone/tool'), 'docker.io/someone/tool:latest');
});

test('a first component with a port, a dot or localhost is the registry', () => {
  assert.equal(full(`localhost:5000/x/y@${DIGEST}`), `localhost:5000/x/y@${DIGEST}`);
  assert.equal(full('quay.io/podman/stable'), 'quay.io/podman/stable:latest');
  assert.equal(full('localhost/app:v1'), 'localhost/app:v1');
  assert.equal(parseReference('localhost/app').isShortName, false);
});

test('index.docker.io is docker.io and gets library/ for one component', () => {
  assert.equal(full('index.docker.io/busybox'), 'docker.io/library/busybox:latest');
});

test('a digest alone leaves the tag undefined, a tag and a digest keep both', () => {
  const byDigest = parseReference(`busybox@${DIGEST}`).reference;
  assert.equal(byDigest.tag, undefined);
  assert.equal(byDigest.digest, DIGEST);
  assert.equal(full(`busybox:1.36@${DIGEST}`), `docker.io/library/busybox:1.36@${DIGEST}`);
});

test('a registry port is not mistaken for a tag', () => {
  const { reference } = parseReference('127.0.0.1:5000/app');
  assert.equal(reference.registry, '127.0.0.1:5000');
  assert.equal(reference.tag, 'latest');
});

test('a short name moves to a search registry without library/', () => {
  const parsed = parseReference('busybox:1');
  assert.equal(formatReference(withRegistry(parsed, 'localhost:5000')), 'localhost:5000/busybox:1');
  assert.equal(formatReference(withRegistry(parsed, 'docker.io')), 'docker.io/library/busybox:1');
});

test('bad references are refused with ISOLA_IMAGE_REFERENCE_INVALID', () => {
  for (const text of ['', 'Busybox/x/UPPER', 'busybox:', 'busybox:-x', 'a//b', 'busybox@sha256:abc', 'x/y:tag:more', '-x',
    `${'a'.repeat(260)}`, 'busybox@md5:0123']) {
    assert.throws(() => parseReference(text), (err: { code?: string }) => err.code === 'ISOLA_IMAGE_REFERENCE_INVALID', text);
  }
});

test('uppercase in the first component makes it a registry, as in docker', () => {
  assert.equal(parseReference('Registry/app').reference.registry, 'Registry');
});
