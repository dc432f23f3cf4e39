import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateOciImage } from './oci-image-schema.test-helper.ts';

const digest = `sha256:${'a'.repeat(64)}`;

test('the image-spec schemas accept a one-layer manifest and refuse an empty or badly named one', () => {
  const manifest = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest, size: 2 },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest, size: 1024 }] };
  assert.deepEqual(validateOciImage('manifest', manifest), []);
  assert.notDeepEqual(validateOciImage('manifest', { ...manifest, layers: [] }), []);
  assert.notDeepEqual(validateOciImage('manifest', { ...manifest, config: { ...manifest.config, digest: 'nope' } }), []);
});
