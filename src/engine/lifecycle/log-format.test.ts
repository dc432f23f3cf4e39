import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LogParser, timestampMs } from './log-format.ts';

const T = '2026-11-23T13:00:00.123456789Z';

test('full entries become lines with their stream and timestamp', () => {
  const parser = new LogParser();
  assert.deepEqual(parser.push(`${T} stdout F hello\n${T} stderr F oops\n`), [
    { stream: 'stdout', timestamp: T, text: 'hello' }, { stream: 'stderr', timestamp: T, text: 'oops' },
  ]);
});

test('partial entries join the next full entry of the same stream', () => {
  const parser = new LogParser();
  assert.deepEqual(parser.push(`${T} stdout P hel\n${T} stderr F e\n${T} stdout F lo\n`).map((l) => l.text), ['e', 'hello']);
});

test('an entry split across reads is parsed once it is complete', () => {
  const parser = new LogParser();
  assert.deepEqual(parser.push(`${T} stdout F a b`), []);
  assert.deepEqual(parser.push(' c\n').map((l) => l.text), ['a b c']);
});

test('a line without its final part is still shown when the log ends', () => {
  const parser = new LogParser();
  parser.push(`${T} stdout P no newline\n`);
  assert.deepEqual(parser.flush(), [{ stream: 'stdout', timestamp: T, text: 'no newline' }]);
});

test('timestamps compare in milliseconds', () => {
  assert.equal(timestampMs(T), Date.UTC(2026, 10, 23, 13, 0, 0, 123));
});
