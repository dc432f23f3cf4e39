import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anonymousVolumeNames, imageVolumeOptions, nameAnonymousVolumes } from './anonymous-volumes.ts';

test('an image VOLUME becomes an anonymous volume unless a -v or --tmpfs of the user\'s covers it', () => {
  const volumes = imageVolumeOptions(['/data', '/cache/', '/logs', 'relative', '/data'], {
    volumes: [{ source: '/srv', destination: '/cache', isReadonly: false }], tmpfs: [{ destination: '/logs//', options: '' }],
  });
  assert.deepEqual(volumes, [{ source: '', destination: '/data', isReadonly: false, isAnonymous: true }]);
});

test('only unnamed anonymous volumes get names, and only anonymous ones are listed for removal', async () => {
  let n = 0;
  const named = await nameAnonymousVolumes([
    { source: '', destination: '/a', isReadonly: false, isAnonymous: true },
    { source: 'keep', destination: '/k', isReadonly: false, volumeName: 'keep' },
    { source: 'x', destination: '/b', isReadonly: false, isAnonymous: true, volumeName: 'x' },
  ], async () => `v${++n}`);
  assert.deepEqual(named.map((v) => [v.source, v.volumeName]), [['v1', 'v1'], ['keep', 'keep'], ['x', 'x']]);
  assert.deepEqual(anonymousVolumeNames(named), ['v1', 'x']);
});
