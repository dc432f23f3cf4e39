import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CAPABILITY_NAMES,
  DEFAULT_CAPABILITIES,
  capabilityMask,
  capabilityNumber,
  resolveCapabilities,
} from './capabilities.ts';

describe('capabilityNumber', () => {
  it('knows the first and the last capability by their kernel numbers', () => {
    assert.equal(capabilityNumber('CAP_CHOWN'), 0);
    assert.equal(capabilityNumber('CAP_SYS_ADMIN'), 21);
    assert.equal(capabilityNumber('CAP_AUDIT_READ'), 37);
    assert.equal(capabilityNumber('CAP_CHECKPOINT_RESTORE'), 40);
    assert.equal(CAPABILITY_NAMES.length, 41);
  });

  it('accepts names with or without CAP_ in any case', () => {
    assert.equal(capabilityNumber('net_admin'), 12);
    assert.equal(capabilityNumber('NET_ADMIN'), 12);
    assert.equal(capabilityNumber('cap_net_admin'), 12);
  });

  it('rejects an unknown name with ISOLA_INVALID_OPTION', () => {
    assert.throws(() => capabilityNumber('CAP_FLY'), { code: 'ISOLA_INVALID_OPTION' });
    assert.throws(() => capabilityNumber('ALL'), { code: 'ISOLA_INVALID_OPTION' });
  });
});

describe('capabilityMask', () => {
  it('sets one bit per capability, also above bit 31', () => {
    assert.equal(capabilityMask(['CAP_CHOWN', 'kill']), 0b100001n);
    assert.equal(capabilityMask(['CAP_CHECKPOINT_RESTORE']), 1n << 40n);
    assert.equal(capabilityMask(CAPABILITY_NAMES), (1n << 41n) - 1n);
    assert.equal(capabilityMask([]), 0n);
  });
});

describe('resolveCapabilities', () => {
  const sorted = (names: readonly string[]) => [...names].sort((a, b) => capabilityNumber(a) - capabilityNumber(b));

  it('gives docker default 14 capabilities when nothing is asked', () => {
    const caps = resolveCapabilities({ add: [], drop: [], isPrivileged: false });
    assert.equal(caps.length, 14);
    assert.deepEqual(caps, sorted(DEFAULT_CAPABILITIES));
  });

  it('gives every capability when privileged, ignoring drops', () => {
    const caps = resolveCapabilities({ add: [], drop: ['ALL'], isPrivileged: true });
    assert.deepEqual(caps, [...CAPABILITY_NAMES]);
  });

  it('removes dropped and appends added capabilities', () => {
    const caps = resolveCapabilities({ add: ['net_admin'], drop: ['CAP_MKNOD', 'kill'], isPrivileged: false });
    assert.ok(caps.includes('CAP_NET_ADMIN'));
    assert.ok(!caps.includes('CAP_MKNOD'));
    assert.ok(!caps.includes('CAP_KILL'));
    assert.equal(caps.length, 13);
  });

  it('keeps a capability that is both added and dropped, as docker does', () => {
    const caps = resolveCapabilities({ add: ['CHOWN'], drop: ['CHOWN'], isPrivileged: false });
    assert.ok(caps.includes('CAP_CHOWN'));
  });

  it('gives only the added capabilities after --cap-drop ALL', () => {
    const caps = resolveCapabilities({ add: ['NET_BIND_SERVICE'], drop: ['all'], isPrivileged: false });
    assert.deepEqual(caps, ['CAP_NET_BIND_SERVICE']);
  });

  it('gives everything but the dropped ones after --cap-add ALL', () => {
    const caps = resolveCapabilities({ add: ['ALL'], drop: ['SYS_ADMIN'], isPrivileged: false });
    assert.equal(caps.length, CAPABILITY_NAMES.length - 1);
    assert.ok(!caps.includes('CAP_SYS_ADMIN'));
  });

  it('does not list a capability twice', () => {
    const caps = resolveCapabilities({ add: ['CHOWN', 'cap_chown'], drop: [], isPrivileged: false });
    assert.equal(caps.filter((c) => c === 'CAP_CHOWN').length, 1);
  });

  it('rejects an unknown name and says which flag it came from', () => {
    assert.throws(() => resolveCapabilities({ add: ['CAP_FLY'], drop: [], isPrivileged: false }), {
      code: 'ISOLA_INVALID_OPTION',
      option: '--cap-add',
    });
    assert.throws(() => resolveCapabilities({ add: [], drop: ['nope'], isPrivileged: false }), {
      code: 'ISOLA_INVALID_OPTION',
      option: '--cap-drop',
    });
  });
});
