import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RLIM_INFINITY } from '../security/index.ts';
import { generateConfig } from './generate.ts';
import { validateOciConfig, validateOciState } from './oci-schema.test-helper.ts';
import { makeInput } from './options.test-helper.ts';

const explicitMaps = {
  uidMap: [
    { containerId: 0, hostId: 200000, size: 1 },
    { containerId: 1, hostId: 300001, size: 65535 },
  ],
  gidMap: [{ containerId: 0, hostId: 200000, size: 65536 }],
};

const cases = {
  'root with explicit maps': makeInput(
    { idMaps: explicitMaps },
    { userns: { kind: 'explicit', uidMap: explicitMaps.uidMap, gidMap: explicitMaps.gidMap } },
  ),
  'no user namespace': makeInput({ idMaps: undefined }, { userns: { kind: 'host' } }),
  privileged: makeInput({}, { isPrivileged: true, capDrop: ['ALL'] }),
  'a non-root user with groups': makeInput(
    { user: { uid: 1000, gid: 1000, additionalGids: [10, 44], home: '/home/app' } },
    { user: 'app', hasTerminal: true, hostname: 'app-1', env: ['LANG=C.UTF-8'], cwd: '/home/app' },
  ),
  'volumes and tmpfs': makeInput(
    {},
    {
      volumes: [
        { source: '/srv/data', destination: '/data', isReadonly: false },
        { source: '/srv/conf', destination: '/etc/app', isReadonly: true },
      ],
      tmpfs: [{ destination: '/run', options: 'size=64m,mode=755' }],
      isReadonlyRootfs: true,
      ulimits: [{ name: 'core', soft: 0, hard: RLIM_INFINITY }],
    },
  ),
  'ID-mapped volumes, the container\'s maps and custom ones': makeInput({}, {
    volumes: [
      { source: '/srv/data', destination: '/data', isReadonly: false, idmap: 'container' },
      { source: '/srv/other', destination: '/other', isReadonly: true, idmap: { uidMap: [{ containerId: 0, hostId: 1000, size: 10 }], gidMap: [{ containerId: 0, hostId: 1000, size: 10 }] } },
    ],
  }),
  'host network with a user namespace': makeInput({}, { network: 'host', capAdd: ['NET_ADMIN'], capDrop: ['MKNOD'] }),
};

describe('generated configs against the OCI runtime-spec 1.3 schema', () => {
  for (const [name, input] of Object.entries(cases)) {
    it(`validates: ${name}`, () => {
      assert.deepEqual(validateOciConfig(generateConfig(input)), []);
    });
  }

  it('notices an invalid config, so the checks above can fail', () => {
    const config = generateConfig(makeInput());
    const broken = { ...config, linux: { ...config.linux, rootfsPropagation: 'rprivate', namespaces: [{ type: 'net' }] } };
    assert.equal(validateOciConfig(broken).length > 0, true);
    assert.notDeepEqual(validateOciConfig({ process: { cwd: '/', user: { uid: -1, gid: 0 } } }), []);
  });

  it('validates state documents', () => {
    const state = { ociVersion: '1.3.0', id: 'c1', status: 'running', pid: 4242, bundle: '/run/isola/c1' };
    assert.deepEqual(validateOciState(state), []);
    assert.notDeepEqual(validateOciState({ ...state, status: 'paused' }), []);
    assert.notDeepEqual(validateOciState({ id: 'c1' }), []);
  });
});
