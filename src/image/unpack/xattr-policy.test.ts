import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideXattr } from './xattr-policy.ts';

const root = { isRealRoot: true };
const userns = { isRealRoot: false };

test('overlayfs xattrs from a layer are always dropped', () => {
  for (const name of ['trusted.overlay.redirect', 'trusted.overlay.opaque', 'user.overlay.metacopy']) {
    assert.equal(decideXattr(name, root), 'drop', name);
    assert.equal(decideXattr(name, userns), 'drop', name);
  }
});

test('security.capability must be written as real root and is best effort in a user namespace', () => {
  assert.equal(decideXattr('security.capability', root), 'required');
  assert.equal(decideXattr('security.capability', userns), 'optional');
});

test('user.* and ACLs are best effort; trusted.* only as real root; LSM labels never', () => {
  assert.equal(decideXattr('user.mime_type', userns), 'optional');
  assert.equal(decideXattr('system.posix_acl_access', root), 'optional');
  assert.equal(decideXattr('trusted.md5', root), 'optional');
  assert.equal(decideXattr('trusted.md5', userns), 'drop');
  assert.equal(decideXattr('security.selinux', root), 'drop');
});
