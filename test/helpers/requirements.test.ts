import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { findCommand, requireCommand, requireThat } from './requirements.ts';

function fakeContext(): { skipped: string[]; skip(message?: string): void } {
  const skipped: string[] = [];
  return { skipped, skip: (message) => skipped.push(message ?? '') };
}

describe('requirements', () => {
  let savedCI: string | undefined;
  beforeEach(() => {
    savedCI = process.env['CI'];
  });
  afterEach(() => {
    if (savedCI === undefined) delete process.env['CI'];
    else process.env['CI'] = savedCI;
  });

  test('a met requirement neither skips nor fails', () => {
    const t = fakeContext();
    assert.equal(requireThat(t, true, 'needs nothing'), true);
    assert.deepEqual(t.skipped, []);
  });

  test('an unmet requirement skips with its reason outside CI', () => {
    delete process.env['CI'];
    const t = fakeContext();
    assert.equal(requireCommand(t, 'no-such-command-isola'), false);
    assert.deepEqual(t.skipped, ['needs the no-such-command-isola command (not found on PATH)']);
  });

  test('an unmet requirement fails instead of skipping in CI', () => {
    process.env['CI'] = 'true';
    const t = fakeContext();
    assert.throws(() => requireThat(t, false, 'needs root: mounts'), { code: 'ERR_ASSERTION' });
    assert.deepEqual(t.skipped, []);
  });

  test('findCommand finds a command on PATH by name', () => {
    assert.equal(findCommand('sh')?.endsWith('/sh'), true);
  });
});
