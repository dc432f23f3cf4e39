import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS, protectedPaths } from './masked-paths.ts';

describe('protectedPaths', () => {
  it('masks kcore and keys and makes /proc/sys read-only by default', () => {
    const paths = protectedPaths(false);
    assert.ok(paths.maskedPaths.includes('/proc/kcore'));
    assert.ok(paths.maskedPaths.includes('/proc/keys'));
    assert.ok(paths.readonlyPaths.includes('/proc/sys'));
    assert.deepEqual(paths.maskedPaths, DEFAULT_MASKED_PATHS);
    assert.deepEqual(paths.readonlyPaths, DEFAULT_READONLY_PATHS);
  });

  it('protects nothing for a privileged container', () => {
    assert.deepEqual(protectedPaths(true), { maskedPaths: [], readonlyPaths: [] });
  });

  it('lists only absolute paths under /proc or /sys', () => {
    for (const path of [...DEFAULT_MASKED_PATHS, ...DEFAULT_READONLY_PATHS]) {
      assert.match(path, /^\/(proc|sys)\//);
    }
  });
});
