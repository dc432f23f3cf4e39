import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DETACH_KEYS, DetachKeyScanner, parseDetachKeys } from './detach-keys.ts';

test('docker\'s key names become their control bytes', () => {
  assert.deepEqual([...parseDetachKeys(DEFAULT_DETACH_KEYS)], [0x10, 0x11]);
  assert.deepEqual([...parseDetachKeys('ctrl-a,x,ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_,ctrl-Z')], [1, 0x78, 0, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x1a]);
  assert.equal(parseDetachKeys('').length, 0);
});

test('a key that is neither one character nor ctrl-KEY is refused', () => {
  for (const text of ['ctrl-', 'ctrl-1', 'alt-x', 'ctrl-p,,ctrl-q', 'xy', 'é']) {
    assert.throws(() => parseDetachKeys(text), { code: 'ISOLA_INVALID_OPTION' }, text);
  }
});

test('the sequence detaches even when split across reads, and is not forwarded', () => {
  const scanner = new DetachKeyScanner(parseDetachKeys(DEFAULT_DETACH_KEYS));
  assert.deepEqual(scanner.scan(Buffer.from('ab\x10')), { forward: Buffer.from('ab'), isDetached: false });
  assert.deepEqual(scanner.scan(Buffer.from('\x11rest')), { forward: Buffer.alloc(0), isDetached: true });
});

test('a broken sequence goes on as typed', () => {
  const scanner = new DetachKeyScanner(parseDetachKeys(DEFAULT_DETACH_KEYS));
  assert.deepEqual(scanner.scan(Buffer.from('\x10x\x10\x10')).forward, Buffer.from('\x10x\x10'));
  assert.deepEqual(scanner.scan(Buffer.from('\x11')).isDetached, true);
});

test('no sequence: everything is forwarded', () => {
  const scanner = new DetachKeyScanner(parseDetachKeys(''));
  assert.deepEqual(scanner.scan(Buffer.from('\x10\x11')), { forward: Buffer.from('\x10\x11'), isDetached: false });
});
