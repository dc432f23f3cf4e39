import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseExitFile } from './exit-file.ts';

test('an exit status is the high byte of the raw wait status', () => {
  assert.deepEqual(parseExitFile('768 1700000000.123456789\n'), { exitCode: 3, finishedMs: 1700000000123 });
});

test('a death by signal N is reported as 128+N', () => {
  assert.equal(parseExitFile('9 1.000000000\n')?.exitCode, 137);
});

test('a torn or foreign exit file records nothing', () => {
  assert.equal(parseExitFile('768 17'), undefined);
  assert.equal(parseExitFile(''), undefined);
});
