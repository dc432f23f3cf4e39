import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CAPABILITY_NAMES, DEFAULT_CAPABILITIES, DEFAULT_MASKED_PATHS, RLIM_INFINITY } from '../security/index.ts';
import { generateConfig } from './generate.ts';
import { AUTO_MAPS, RUNTIME_FILES, makeInput } from './options.test-helper.ts';
import { validateOciConfig } from './oci-schema.test-helper.ts';

describe('generateConfig', () => {
  it('writes runtime-spec 1.3.0 with the rootfs, args and cwd /', () => {
    const config = generateConfig(makeInput({}, { isReadonlyRootfs: true }));
    assert.equal(config.ociVersion, '1.3.0');
    assert.deepEqual(config.root, { path: '/var/lib/isola/containers/c1/rootfs', readonly: true });
    assert.deepEqual(config.process?.args, ['/bin/sh', '-c', 'true']);
    assert.equal(config.process?.cwd, '/');
    assert.equal(config.process?.noNewPrivileges, false);
  });

  it('copies the ID maps into the OCI field names and adds a user namespace', () => {
    const config = generateConfig(makeInput());
    assert.deepEqual(config.linux?.uidMappings, [{ containerID: 0, hostID: 100000, size: 65536 }]);
    assert.deepEqual(config.linux?.gidMappings, [{ containerID: 0, hostID: 100000, size: 65536 }]);
    assert.deepEqual(
      config.linux?.namespaces?.map((ns) => ns.type),
      ['pid', 'network', 'ipc', 'uts', 'mount', 'user'],
    );
  });

  it('has no user namespace or maps without ID maps, and no network namespace with host networking', () => {
    const config = generateConfig(makeInput({ idMaps: undefined }, { network: 'host', userns: { kind: 'host' } }));
    assert.deepEqual(config.linux?.namespaces?.map((ns) => ns.type), ['pid', 'ipc', 'uts', 'mount']);
    assert.equal(config.linux?.uidMappings, undefined);
    assert.equal(config.linux?.gidMappings, undefined);
  });

  it('gives root the default capabilities as bounding, effective and permitted', () => {
    const caps = generateConfig(makeInput()).process?.capabilities;
    assert.equal(caps?.bounding?.length, DEFAULT_CAPABILITIES.length);
    assert.deepEqual(caps?.effective, caps?.bounding);
    assert.deepEqual(caps?.permitted, caps?.bounding);
    assert.deepEqual(caps?.inheritable, []);
    assert.deepEqual(caps?.ambient, []);
  });

  it('gives a non-root user the set as bounding only', () => {
    const input = makeInput({ user: { uid: 1000, gid: 1000, additionalGids: [27, 44], home: '/home/app' } });
    const process = generateConfig(input).process;
    assert.deepEqual(process?.user, { uid: 1000, gid: 1000, additionalGids: [27, 44] });
    assert.equal(process?.capabilities?.bounding?.length, DEFAULT_CAPABILITIES.length);
    assert.deepEqual(process?.capabilities?.effective, []);
    assert.deepEqual(process?.capabilities?.permitted, []);
    assert.ok(process?.env?.includes('HOME=/home/app'));
  });

  it('gives a privileged container every capability and no masked or read-only paths', () => {
    const config = generateConfig(makeInput({}, { isPrivileged: true }));
    assert.deepEqual(config.process?.capabilities?.bounding, [...CAPABILITY_NAMES]);
    assert.deepEqual(config.linux?.maskedPaths, []);
    assert.deepEqual(config.linux?.readonlyPaths, []);
  });

  it('masks docker default paths otherwise', () => {
    assert.deepEqual(generateConfig(makeInput()).linux?.maskedPaths, DEFAULT_MASKED_PATHS);
  });

  it('sets the hostname and the environment docker would', () => {
    const config = generateConfig(makeInput({}, { hostname: 'web', hasTerminal: true, env: ['A=1'] }));
    assert.equal(config.hostname, 'web');
    assert.equal(config.process?.terminal, true);
    assert.deepEqual(config.process?.env?.slice(1), ['HOSTNAME=web', 'TERM=xterm', 'A=1', 'HOME=/root']);
  });

  it('defaults RLIMIT_NOFILE to 1048576 and lets --ulimit override it', () => {
    assert.deepEqual(generateConfig(makeInput()).process?.rlimits, [{ type: 'RLIMIT_NOFILE', soft: 1048576, hard: 1048576 }]);
    const ulimits = [
      { name: 'nofile', soft: 1024, hard: 2048 },
      { name: 'core', soft: RLIM_INFINITY, hard: RLIM_INFINITY },
    ];
    assert.deepEqual(generateConfig(makeInput({}, { ulimits })).process?.rlimits, [
      { type: 'RLIMIT_NOFILE', soft: 1024, hard: 2048 },
      { type: 'RLIMIT_CORE', soft: RLIM_INFINITY, hard: RLIM_INFINITY },
    ]);
  });

  it('lowers default limits to the host hard limit but keeps explicit ones', () => {
    const hostHardLimits = { RLIMIT_NOFILE: 524288, RLIMIT_NPROC: 100 };
    const rlimitDefaults = [
      { type: 'RLIMIT_NOFILE', soft: 1048576, hard: 1048576 },
      { type: 'RLIMIT_NPROC', soft: 4096, hard: 4096 },
    ];
    const config = generateConfig(makeInput({ hostHardLimits, rlimitDefaults }, { ulimits: [{ name: 'nproc', soft: 200, hard: 200 }] }));
    assert.deepEqual(config.process?.rlimits, [
      { type: 'RLIMIT_NOFILE', soft: 524288, hard: 524288 },
      { type: 'RLIMIT_NPROC', soft: 200, hard: 200 },
    ]);
  });

  it('lists the six default devices for the runtime to provide', () => {
    const devices = generateConfig(makeInput()).linux?.devices ?? [];
    assert.deepEqual(devices.map((d) => d.path), ['/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty']);
    assert.deepEqual(devices.find((d) => d.path === '/dev/tty'), { type: 'c', path: '/dev/tty', major: 5, minor: 0, fileMode: 0o666, uid: 0, gid: 0 });
  });

  it('binds the runtime files at /etc/hostname, /etc/hosts and /etc/resolv.conf', () => {
    const mounts = generateConfig(makeInput()).mounts ?? [];
    assert.equal(mounts.find((m) => m.destination === '/etc/resolv.conf')?.source, RUNTIME_FILES.resolvConf);
    assert.equal(mounts.find((m) => m.destination === '/etc/hostname')?.source, RUNTIME_FILES.hostname);
  });

  it('leaves gid=5 off devpts when the maps do not contain gid 5', () => {
    const idMaps = { uidMap: AUTO_MAPS.uidMap, gidMap: [{ containerId: 0, hostId: 1000, size: 1 }] };
    const pts = generateConfig(makeInput({ idMaps })).mounts?.find((m) => m.destination === '/dev/pts');
    assert.ok(!pts?.options?.includes('gid=5'));
  });

  it('rejects a user whose uid the maps leave out', () => {
    const input = makeInput({ user: { uid: 70000, gid: 0, additionalGids: [] } });
    assert.throws(() => generateConfig(input), { code: 'ISOLA_INVALID_OPTION', option: '--user' });
  });

  it('rejects bad options before building anything', () => {
    assert.throws(() => generateConfig(makeInput({}, { cwd: 'relative' })), { code: 'ISOLA_INVALID_OPTION', option: '--workdir' });
  });

  it('names the cgroup after the container and sets no resources without limits', () => {
    const linux = generateConfig(makeInput({ containerId: 'abc123' })).linux;
    assert.equal(linux?.cgroupsPath, 'isola/abc123');
    assert.equal(linux?.resources, undefined);
    assert.equal(generateConfig(makeInput()).linux?.cgroupsPath, undefined);
  });

  it('turns --pids-limit, --memory and --cpus into linux.resources, with docker\'s swap default', () => {
    const config = generateConfig(makeInput({ containerId: 'c1' }, { pidsLimit: 10, memoryBytes: 512 * 1024 * 1024, cpus: 1.5 }));
    assert.deepEqual(config.linux?.resources, {
      pids: { limit: 10 },
      memory: { limit: 512 * 1024 * 1024, swap: 1024 * 1024 * 1024 },
      cpu: { quota: 150000, period: 100000 },
    });
    assert.deepEqual(validateOciConfig(config), []);
  });

  it('sets only the resources asked for', () => {
    assert.deepEqual(generateConfig(makeInput({}, { pidsLimit: 1 })).linux?.resources, { pids: { limit: 1 } });
    assert.deepEqual(generateConfig(makeInput({}, { cpus: 0.01 })).linux?.resources, { cpu: { quota: 1000, period: 100000 } });
  });

  for (const [option, overrides] of [
    ['--pids-limit', { pidsLimit: 0 }], ['--pids-limit', { pidsLimit: -1 }], ['--pids-limit', { pidsLimit: 2.5 }],
    ['--memory', { memoryBytes: 1024 * 1024 }], ['--memory', { memoryBytes: Number.NaN }],
    ['--cpus', { cpus: 0.001 }], ['--cpus', { cpus: -1 }], ['--cpus', { cpus: Number.POSITIVE_INFINITY }],
  ] as const) {
    it(`rejects ${option} ${String(Object.values(overrides)[0])}`, () => {
      assert.throws(() => generateConfig(makeInput({}, overrides)), { code: 'ISOLA_INVALID_OPTION', option });
    });
  }
});

describe('generateConfig seccomp and sysctls', () => {
  it('gives every container the default profile for its capabilities, valid per the schema', () => {
    const config = generateConfig(makeInput());
    assert.equal(config.linux?.seccomp?.defaultAction, 'SCMP_ACT_ERRNO');
    assert.ok(config.linux?.seccomp?.syscalls?.some((rule) => rule.action === 'SCMP_ACT_ERRNO' && rule.names.includes('unshare')));
    assert.deepEqual(validateOciConfig(config), []);
    const withAdmin = generateConfig(makeInput({}, { capAdd: ['SYS_ADMIN'] }));
    assert.ok(!withAdmin.linux?.seccomp?.syscalls?.some((rule) => rule.action === 'SCMP_ACT_ERRNO' && rule.names.includes('unshare')));
  });

  it('leaves the filter out for --privileged and unconfined, and keeps a given profile as it is', () => {
    assert.equal(generateConfig(makeInput({}, { isPrivileged: true })).linux?.seccomp, undefined);
    assert.equal(generateConfig(makeInput({}, { seccomp: { kind: 'unconfined' } })).linux?.seccomp, undefined);
    const profile = { defaultAction: 'SCMP_ACT_LOG' };
    assert.deepEqual(generateConfig(makeInput({}, { isPrivileged: true, seccomp: { kind: 'profile', profile } })).linux?.seccomp, profile);
  });

  it('passes --sysctl values into linux.sysctl', () => {
    assert.deepEqual(generateConfig(makeInput({}, { sysctls: { 'net.ipv4.ip_forward': '1' } })).linux?.sysctl, { 'net.ipv4.ip_forward': '1' });
    assert.equal(generateConfig(makeInput()).linux?.sysctl, undefined);
  });
});
