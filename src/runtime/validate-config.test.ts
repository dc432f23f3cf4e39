import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRuntimeConfig, validateRuntimeConfig } from './validate-config.ts';
import { defaultSpec } from './default-spec.ts';
import { validateOciConfig } from '../spec/oci-schema.test-helper.ts';

type Json = Record<string, unknown>;

/** A config using every field isola honours. */
function fullConfig(): Json {
  const map = [{ containerID: 0, hostID: 100000, size: 65536 }];
  const hook = () => [{ path: '/usr/bin/true', args: ['true'], env: ['A=1'], timeout: 5 }];
  return {
    ociVersion: '1.3.0',
    root: { path: 'rootfs', readonly: true },
    hostname: 'h', domainname: 'd',
    annotations: { 'org.example.key': 'value' },
    hooks: { prestart: hook(), createRuntime: hook(), createContainer: hook(), startContainer: hook(), poststart: hook(), poststop: hook() },
    mounts: [{ destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid'] }],
    process: {
      terminal: true, consoleSize: { height: 24, width: 80 }, cwd: '/', args: ['sh'], env: ['PATH=/bin'],
      user: { uid: 0, gid: 0, umask: 0o22, additionalGids: [5] },
      capabilities: { bounding: ['CAP_KILL'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'], inheritable: [], ambient: [] },
      rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 4096 }], noNewPrivileges: true, oomScoreAdj: -500,
    },
    linux: {
      namespaces: ['pid', 'network', 'ipc', 'uts', 'mount', 'user', 'cgroup', 'time'].map((type) => ({ type })),
      uidMappings: map, gidMappings: map,
      devices: [{ type: 'c', path: '/dev/fuse' }],
      resources: { pids: { limit: 100 }, memory: { limit: 2 ** 30, swap: 2 ** 31 }, cpu: { quota: 50000, period: 100000 } },
      cgroupsPath: 'isola/x', rootfsPropagation: 'private',
      seccomp: { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 1, architectures: ['SCMP_ARCH_X86_64'], flags: ['SECCOMP_FILTER_FLAG_LOG'],
        syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, valueTwo: 0, op: 'SCMP_CMP_EQ' }] }] },
      sysctl: { 'net.ipv4.ip_forward': '1' }, maskedPaths: ['/proc/kcore'], readonlyPaths: ['/proc/sys'],
      personality: { domain: 'LINUX' }, timeOffsets: { monotonic: { secs: 1, nanosecs: 0 } },
    },
  };
}

/** Sets `value` at a dotted path with [n] indexes; undefined deletes. */
function withChange(path: string, value: unknown): Json {
  const doc = fullConfig();
  const keys = path.split('.').flatMap((part) => part.split(/\[(\d+)\]/).filter((k) => k !== ''));
  let at: Record<string, unknown> = doc;
  for (const key of keys.slice(0, -1)) at = at[key] as Record<string, unknown>;
  const last = keys.at(-1)!;
  if (value === undefined) delete at[last];
  else at[last] = value;
  return doc;
}

test('a config using every honoured field is valid, for isola and for the schema, with no notices', () => {
  const doc = fullConfig();
  assert.deepEqual(validateOciConfig(doc), []);
  assert.deepEqual(validateRuntimeConfig(doc).notices, []);
});

test('the configs spec writes are valid', () => {
  for (const doc of [defaultSpec(), defaultSpec({ rootless: { uid: 1000, gid: 1000 } })]) assert.deepEqual(validateRuntimeConfig(doc).notices, []);
});

const INVALID: [path: string, value: unknown, code: 'INVALID_CONFIG' | 'UNSUPPORTED', field: string, isSchemaInvalid: boolean][] = [
  ['linux.namespaces[0].type', 'pidz', 'INVALID_CONFIG', 'linux.namespaces[0].type', true],
  ['linux.namespaces[1].type', 'pid', 'INVALID_CONFIG', 'linux.namespaces[1].type', false],
  ['process.capabilities.bounding[0]', 'CAP_FLY', 'INVALID_CONFIG', 'process.capabilities.bounding[0]', false],
  ['process.user.uid', -1, 'INVALID_CONFIG', 'process.user.uid', true],
  ['process.user', undefined, 'INVALID_CONFIG', 'process.user', false],
  ['root', undefined, 'INVALID_CONFIG', 'root', false],
  ['ociVersion', '2.0.0', 'INVALID_CONFIG', 'ociVersion', false],
  ['process.terminal', 'yes', 'INVALID_CONFIG', 'process.terminal', true],
  ['process.oomScoreAdj', 2000, 'INVALID_CONFIG', 'process.oomScoreAdj', false],
  ['process.rlimits[1]', { type: 'RLIMIT_NOFILE', soft: 1, hard: 1 }, 'INVALID_CONFIG', 'process.rlimits[1].type', false],
  ['process.rlimits[0].type', 'RLIMIT_SPOONS', 'INVALID_CONFIG', 'process.rlimits[0].type', false],
  ['process.cwd', 'tmp', 'INVALID_CONFIG', 'process.cwd', false],
  ['process.env[0]', 'PATH', 'INVALID_CONFIG', 'process.env[0]', false],
  ['mounts[0].destination', 'proc', 'INVALID_CONFIG', 'mounts[0].destination', false],
  ['mounts[0].options', 'nosuid', 'INVALID_CONFIG', 'mounts[0].options', true],
  ['hooks.poststop[0].path', 'true', 'INVALID_CONFIG', 'hooks.poststop[0].path', false],
  ['hooks.poststop[0].timeout', 0, 'INVALID_CONFIG', 'hooks.poststop[0].timeout', true],
  ['linux.namespaces', [{ type: 'pid' }, { type: 'mount' }, { type: 'user' }], 'INVALID_CONFIG', 'hostname', false],
  ['linux.devices[0].type', 'x', 'INVALID_CONFIG', 'linux.devices[0].type', true],
  ['linux.rootfsPropagation', 'rprivate', 'INVALID_CONFIG', 'linux.rootfsPropagation', true],
  ['linux.seccomp.syscalls[0].names', [], 'INVALID_CONFIG', 'linux.seccomp.syscalls[0].names', true],
  ['linux.personality.domain', 'LINUX64', 'INVALID_CONFIG', 'linux.personality.domain', true],
  ['linux.intelRdt', { closID: 'x' }, 'UNSUPPORTED', 'linux.intelRdt', false],
  ['linux.netDevices', { eth1: { name: 'eth0' } }, 'UNSUPPORTED', 'linux.netDevices', false],
  ['process.scheduler', { policy: 'SCHED_OTHER' }, 'UNSUPPORTED', 'process.scheduler', false],
  ['process.ioPriority', { class: 'IOPRIO_CLASS_BE', priority: 1 }, 'UNSUPPORTED', 'process.ioPriority', false],
  ['mounts[0].uidMappings', [{ containerID: 0, hostID: 1 }], 'INVALID_CONFIG', 'mounts[0].uidMappings[0].size', true],
  ['windows', { layerFolders: ['C:\\x'] }, 'UNSUPPORTED', 'windows', false],
];

test('malformed and unsupported fields are errors naming the JSON path', () => {
  for (const [path, value, code, field, isSchemaInvalid] of INVALID) {
    const doc = withChange(path, value);
    assert.throws(() => validateRuntimeConfig(doc), (err: { code: string; field: string; hint?: string }) =>
      err.code === `ISOLA_RUNTIME_${code}` && err.field === field && (err.hint ?? '') !== '', `${path} = ${JSON.stringify(value)}`);
    if (isSchemaInvalid) assert.notDeepEqual(validateOciConfig(doc), [], `the schema also refuses ${path}`);
  }
});

test('ids mapped without a user namespace are an error', () => {
  const doc = withChange('linux.namespaces', ['pid', 'uts', 'mount'].map((type) => ({ type })));
  assert.throws(() => validateRuntimeConfig(doc), { field: 'linux.uidMappings' });
});

test('labels, Windows-only and unknown fields are accepted with a notice saying so', () => {
  const doc = fullConfig();
  Object.assign(doc['process'] as Json, { apparmorProfile: 'p', selinuxLabel: 's', futureField: 1 });
  Object.assign((doc['linux'] as Json), { mountLabel: 'm' });
  doc['org.example.extension'] = true;
  const { notices } = validateRuntimeConfig(doc);
  assert.equal(notices.length, 5);
  for (const field of ['process.apparmorProfile', 'process.selinuxLabel', 'process.futureField', 'linux.mountLabel', '["org.example.extension"]']) {
    assert.ok(notices.some((n) => n.startsWith(field)), field);
  }
});

test('text that is not JSON is an error for the whole document', () => {
  assert.throws(() => parseRuntimeConfig('{"ociVersion": '), { code: 'ISOLA_RUNTIME_INVALID_CONFIG', field: '(document)' });
  assert.throws(() => parseRuntimeConfig('[]'), { code: 'ISOLA_RUNTIME_INVALID_CONFIG', field: '' });
});
