import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callerIdPool, DEFAULT_POOL, rootIdPool, type SubidFiles } from './id-pool.ts';
import { parseSubidFile } from './subid-file.ts';

function files(subuid: string, subgid: string): SubidFiles {
  return {
    uidFile: '/etc/subuid', gidFile: '/etc/subgid',
    uidLines: parseSubidFile(subuid, '/etc/subuid'), gidLines: parseSubidFile(subgid, '/etc/subgid'),
  };
}

test('the default pool runs from 2^31 to the last whole 65536-block below 2^32', () => {
  assert.equal(DEFAULT_POOL.start, 2147483648);
  assert.equal(DEFAULT_POOL.start + DEFAULT_POOL.size - 1, 4294901759);
  assert.equal(DEFAULT_POOL.size % 65536, 0);
});

test('root without an isola entry gets the default pool in 65536-aligned blocks', () => {
  const pool = rootIdPool(files('alice:100000:65536\n', 'alice:100000:65536\n'));
  assert.equal(pool.source, 'default');
  assert.deepEqual(pool.uids, [DEFAULT_POOL]);
  assert.deepEqual(pool.gids, [DEFAULT_POOL]);
  assert.equal(pool.alignment, 65536);
  assert.equal(pool.defaultSize, 65536);
});

test('the default pool skips ranges /etc/subuid or /etc/subgid grant to anyone, in both pools', () => {
  const pool = rootIdPool(files('alice:2147500000:100\n', 'bob:3000000000:65536\n'));
  const expected = [
    { start: 2147483648, size: 2147500000 - 2147483648 },
    { start: 2147500100, size: 3000000000 - 2147500100 },
    { start: 3000065536, size: 4294901760 - 3000065536 },
  ];
  assert.deepEqual(pool.uids, expected);
  assert.deepEqual(pool.gids, expected);
});

test('the isola entries of /etc/subuid and /etc/subgid are root\'s pool, uids and gids each from their file', () => {
  const pool = rootIdPool(files('isola:1000000:131072\nalice:100000:65536\nisola:5000000:65536\n', 'isola:2000000:65536\n'));
  assert.equal(pool.source, 'isola-entry');
  assert.deepEqual(pool.uids, [{ start: 1000000, size: 131072 }, { start: 5000000, size: 65536 }]);
  assert.deepEqual(pool.gids, [{ start: 2000000, size: 65536 }]);
  assert.equal(pool.alignment, 1);
});

test('an isola entry in only one of the files is an error naming the other', () => {
  assert.throws(() => rootIdPool(files('isola:1000000:65536\n', '')),
    (err: { code?: string; file?: string }) => err.code === 'ISOLA_USERNS_POOL_INCOMPLETE' && err.file === '/etc/subgid');
});

test('a rootless caller\'s pool is its own subordinate ranges, sized to its largest range up to 65536', () => {
  const caller = { user: 'alice', uidFile: '/etc/subuid', gidFile: '/etc/subgid' };
  const small = callerIdPool({ ...caller, subuids: [{ start: 100000, size: 1000 }], subgids: [{ start: 100000, size: 2000 }] });
  assert.equal(small.source, 'caller');
  assert.equal(small.defaultSize, 1000);
  const large = callerIdPool({ ...caller, subuids: [{ start: 100000, size: 200000 }], subgids: [{ start: 100000, size: 200000 }] });
  assert.equal(large.defaultSize, 65536);
});

test('a rootless caller without subordinate ids gets an error naming the file', () => {
  const caller = { user: 'alice', uidFile: '/etc/subuid', gidFile: '/etc/subgid' };
  assert.throws(() => callerIdPool({ ...caller, subuids: [], subgids: [] }),
    (err: { code?: string; file?: string }) => err.code === 'ISOLA_USERNS_NO_SUBIDS' && err.file === '/etc/subuid');
  assert.throws(() => callerIdPool({ ...caller, subuids: [{ start: 1, size: 10 }], subgids: [] }),
    (err: { code?: string; file?: string }) => err.code === 'ISOLA_USERNS_NO_SUBIDS' && err.file === '/etc/subgid');
});
