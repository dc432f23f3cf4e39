import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkOptions, checkUserIsMapped, isIdMapped } from './validate.ts';
import { AUTO_MAPS, makeOptions } from './options.test-helper.ts';

describe('checkOptions', () => {
  it('accepts the minimal options', () => {
    assert.doesNotThrow(() => checkOptions(makeOptions()));
  });

  it('allows --hostname with --network host, since the container keeps its own UTS namespace', () => {
    assert.doesNotThrow(() => checkOptions(makeOptions({ network: 'host', hostname: 'web-1.example' })));
  });

  it('rejects a relative volume source, pointing at an absolute path', () => {
    assert.throws(() => checkOptions(makeOptions({ volumes: [{ source: 'data', destination: '/data', isReadonly: false }] })), {
      code: 'ISOLA_INVALID_OPTION',
      option: '--volume',
    });
  });

  it('rejects a relative destination and a mount over /', () => {
    for (const destination of ['data', '/', '//', '/x/..']) {
      assert.throws(() => checkOptions(makeOptions({ volumes: [{ source: '/srv', destination, isReadonly: false }] })), {
        code: 'ISOLA_INVALID_OPTION',
      }, destination);
      assert.throws(() => checkOptions(makeOptions({ tmpfs: [{ destination, options: '' }] })), { code: 'ISOLA_INVALID_OPTION', option: '--tmpfs' });
    }
  });

  it('rejects two mounts on one destination, naming both flags', () => {
    const options = makeOptions({
      volumes: [{ source: '/srv', destination: '/data/', isReadonly: false }],
      tmpfs: [{ destination: '/data', options: '' }],
    });
    assert.throws(() => checkOptions(options), { code: 'ISOLA_SPEC_CONFLICTING_OPTIONS', options: ['--volume /data/', '--tmpfs /data'] });
  });

  it('rejects a relative working directory and an empty command', () => {
    assert.throws(() => checkOptions(makeOptions({ cwd: 'app' })), { code: 'ISOLA_INVALID_OPTION', option: '--workdir' });
    assert.throws(() => checkOptions(makeOptions({ args: [] })), { code: 'ISOLA_INVALID_OPTION', option: 'command' });
  });

  it('rejects a hostname that could break /etc/hosts', () => {
    for (const hostname of ['a b', 'a\nb', '-a', 'x'.repeat(65), '']) {
      assert.throws(() => checkOptions(makeOptions({ hostname })), { code: 'ISOLA_INVALID_OPTION', option: '--hostname' }, hostname);
    }
  });

  it('rejects an env entry without a name', () => {
    assert.throws(() => checkOptions(makeOptions({ env: ['=x'] })), { code: 'ISOLA_INVALID_OPTION', option: '--env' });
  });

  it('rejects unknown ulimits and a soft limit above the hard one', () => {
    assert.throws(() => checkOptions(makeOptions({ ulimits: [{ name: 'files', soft: 1, hard: 1 }] })), { code: 'ISOLA_INVALID_OPTION' });
    assert.throws(() => checkOptions(makeOptions({ ulimits: [{ name: 'nofile', soft: 2, hard: 1 }] })), { code: 'ISOLA_INVALID_OPTION' });
  });

  it('rejects unknown capability names and empty explicit maps', () => {
    assert.throws(() => checkOptions(makeOptions({ capAdd: ['CAP_FLY'] })), { code: 'ISOLA_INVALID_OPTION', option: '--cap-add' });
    const userns = { kind: 'explicit', uidMap: [], gidMap: AUTO_MAPS.gidMap } as const;
    assert.throws(() => checkOptions(makeOptions({ userns })), { code: 'ISOLA_INVALID_OPTION', option: '--uidmap' });
    assert.throws(() => checkOptions(makeOptions({ userns: { kind: 'auto', size: 0 } })), { code: 'ISOLA_INVALID_OPTION', option: '--userns' });
  });
});

describe('checkUserIsMapped', () => {
  it('accepts ids inside the maps and anything without a user namespace', () => {
    assert.doesNotThrow(() => checkUserIsMapped({ uid: 65535, gid: 0, additionalGids: [5] }, AUTO_MAPS));
    assert.doesNotThrow(() => checkUserIsMapped({ uid: 100000, gid: 100000, additionalGids: [] }, undefined));
  });

  it('rejects a uid, gid or group outside the maps', () => {
    assert.throws(() => checkUserIsMapped({ uid: 65536, gid: 0, additionalGids: [] }, AUTO_MAPS), { code: 'ISOLA_INVALID_OPTION', option: '--user' });
    assert.throws(() => checkUserIsMapped({ uid: 0, gid: 70000, additionalGids: [] }, AUTO_MAPS), { code: 'ISOLA_INVALID_OPTION' });
    assert.throws(() => checkUserIsMapped({ uid: 0, gid: 0, additionalGids: [1, 70000] }, AUTO_MAPS), { code: 'ISOLA_INVALID_OPTION' });
  });

  it('treats the end of a range as exclusive', () => {
    const entries = [{ containerId: 10, hostId: 1000, size: 5 }];
    assert.ok(isIdMapped(entries, 10));
    assert.ok(isIdMapped(entries, 14));
    assert.ok(!isIdMapped(entries, 15));
    assert.ok(!isIdMapped(entries, 9));
  });
});
