import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildMounts, mergeTmpfsOptions, type MountInput } from './mounts.ts';
import { RUNTIME_FILES } from './options.test-helper.ts';

function input(overrides: Partial<MountInput> = {}): MountInput {
  return {
    hasUserns: true,
    isTtyGroupMapped: true,
    network: 'private',
    isReadonlyRootfs: false,
    runtimeFiles: RUNTIME_FILES,
    volumes: [],
    tmpfs: [],
    ...overrides,
  };
}

describe('buildMounts', () => {
  it('mounts kernel filesystems, then /etc files, then volumes, then tmpfs', () => {
    const mounts = buildMounts(
      input({
        volumes: [{ source: '/srv/data', destination: '/data', isReadonly: true }],
        tmpfs: [{ destination: '/scratch', options: 'size=64m' }],
      }),
    );
    assert.deepEqual(
      mounts.map((mount) => mount.destination),
      ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/etc/hostname', '/etc/hosts', '/etc/resolv.conf', '/data', '/scratch'],
    );
  });

  it('binds the engine files from their host paths', () => {
    const hosts = buildMounts(input()).find((mount) => mount.destination === '/etc/hosts');
    assert.equal(hosts?.source, RUNTIME_FILES.hosts);
    assert.ok(hosts?.options?.includes('rbind'));
    assert.ok(hosts?.options?.includes('rw'));
    const readonly = buildMounts(input({ isReadonlyRootfs: true })).find((mount) => mount.destination === '/etc/hosts');
    assert.ok(readonly?.options?.includes('ro'));
  });

  it('gives devpts gid=5 only when gid 5 is mapped or there is no user namespace', () => {
    const pts = (overrides: Partial<MountInput>) => buildMounts(input(overrides)).find((m) => m.destination === '/dev/pts');
    assert.ok(pts({ hasUserns: true, isTtyGroupMapped: true })?.options?.includes('gid=5'));
    assert.ok(!pts({ hasUserns: true, isTtyGroupMapped: false })?.options?.includes('gid=5'));
    assert.ok(pts({ hasUserns: false, isTtyGroupMapped: false })?.options?.includes('gid=5'));
  });

  it('binds the host /sys read-only when a user namespace shares the host network', () => {
    const sys = (overrides: Partial<MountInput>) => buildMounts(input(overrides)).find((m) => m.destination === '/sys');
    const bound = sys({ hasUserns: true, network: 'host' });
    assert.equal(bound?.type, 'bind');
    assert.equal(bound?.source, '/sys');
    assert.ok(bound?.options?.includes('rro'));
    assert.equal(sys({ hasUserns: false, network: 'host' })?.type, 'sysfs');
    assert.equal(sys({ hasUserns: true, network: 'private' })?.type, 'sysfs');
    assert.ok(sys({})?.options?.includes('ro'));
  });

  it('makes volumes nosuid,nodev bind mounts, read-only when asked', () => {
    const [rw, ro] = buildMounts(
      input({
        volumes: [
          { source: '/a', destination: '/x', isReadonly: false },
          { source: '/b', destination: '/y', isReadonly: true },
        ],
      }),
    ).slice(-2);
    assert.deepEqual(rw, { destination: '/x', type: 'bind', source: '/a', options: ['rbind', 'nosuid', 'nodev', 'rw'] });
    assert.deepEqual(ro?.options, ['rbind', 'nosuid', 'nodev', 'ro']);
  });
});

describe('mergeTmpfsOptions', () => {
  it('starts from nosuid,nodev,noexec and appends the user options', () => {
    assert.deepEqual(mergeTmpfsOptions('size=64m,mode=1777'), ['nosuid', 'nodev', 'noexec', 'size=64m', 'mode=1777']);
    assert.deepEqual(mergeTmpfsOptions(''), ['nosuid', 'nodev', 'noexec']);
  });

  it('lets a user option replace its opposite default', () => {
    assert.deepEqual(mergeTmpfsOptions('exec,size=1m'), ['nosuid', 'nodev', 'exec', 'size=1m']);
    assert.deepEqual(mergeTmpfsOptions('noexec'), ['nosuid', 'nodev', 'noexec']);
  });
});
