import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IdMapEntry } from './id-map.ts';
import { validateIdMap } from './validate-id-map.ts';

function fails(entries: readonly IdMapEntry[], code: string, mapLines?: readonly number[]): void {
  assert.throws(
    () => validateIdMap(entries, 'uid'),
    (err: { code?: string; kind?: string; mapLines?: readonly number[] }) => {
      assert.equal(err.code, code);
      assert.equal(err.kind, 'uid');
      if (mapLines !== undefined) assert.deepEqual(err.mapLines, mapLines);
      return true;
    },
  );
}

/** n one-id lines mapping i to i: the shortest lines, so only the line count matters. */
function identityLines(n: number): IdMapEntry[] {
  return Array.from({ length: n }, (_, i) => ({ containerId: i, hostId: i, size: 1 }));
}

test('a typical rootful map is valid', () => {
  validateIdMap([{ containerId: 0, hostId: 100000, size: 65536 }], 'uid');
});

test('an empty map is refused', () => {
  fails([], 'ISOLA_USERNS_MAP_EMPTY');
});

test('340 lines are accepted and 341 are refused', () => {
  validateIdMap(identityLines(340), 'gid');
  fails(identityLines(341), 'ISOLA_USERNS_MAP_TOO_MANY_LINES');
});

test('a map of 4096 bytes or more is refused even under 340 lines', () => {
  const lines = Array.from({ length: 200 }, (_, i) => ({ containerId: 1_000_000_000 + i, hostId: 2_000_000_000 + i, size: 1 }));
  fails(lines, 'ISOLA_USERNS_MAP_TOO_LONG');
});

test('a line of length 0 is refused, naming the line', () => {
  fails(
    [
      { containerId: 0, hostId: 100000, size: 10 },
      { containerId: 10, hostId: 100010, size: 0 },
    ],
    'ISOLA_USERNS_MAP_ZERO_LENGTH',
    [2],
  );
});

test('negative or fractional values are refused', () => {
  fails([{ containerId: -1, hostId: 0, size: 1 }], 'ISOLA_USERNS_MAP_OUT_OF_RANGE', [1]);
  fails([{ containerId: 0, hostId: 0.5, size: 1 }], 'ISOLA_USERNS_MAP_OUT_OF_RANGE', [1]);
  fails([{ containerId: 0, hostId: 0, size: Number.NaN }], 'ISOLA_USERNS_MAP_OUT_OF_RANGE', [1]);
});

test('a range may end at 4294967294 on either side', () => {
  validateIdMap([{ containerId: 4294967294, hostId: 0, size: 1 }], 'uid');
  validateIdMap([{ containerId: 0, hostId: 4294967294, size: 1 }], 'uid');
  validateIdMap([{ containerId: 1, hostId: 0, size: 4294967293 }], 'uid');
});

test('a range reaching 4294967295 inside is refused', () => {
  fails([{ containerId: 4294967295, hostId: 0, size: 1 }], 'ISOLA_USERNS_MAP_OUT_OF_RANGE', [1]);
  fails([{ containerId: 4294967290, hostId: 0, size: 6 }], 'ISOLA_USERNS_MAP_OUT_OF_RANGE', [1]);
});

test('a range reaching 4294967295 on the host is refused', () => {
  fails(
    [
      { containerId: 0, hostId: 0, size: 1 },
      { containerId: 1, hostId: 4294967200, size: 96 },
    ],
    'ISOLA_USERNS_MAP_OUT_OF_RANGE',
    [2],
  );
});

test('the initial namespace identity map (every id but 4294967295) is valid', () => {
  validateIdMap([{ containerId: 0, hostId: 0, size: 4294967295 }], 'uid');
  fails([{ containerId: 1, hostId: 0, size: 4294967295 }], 'ISOLA_USERNS_MAP_OUT_OF_RANGE');
  fails([{ containerId: 0, hostId: 1, size: 4294967295 }], 'ISOLA_USERNS_MAP_OUT_OF_RANGE');
});

test('ranges overlapping inside the container are refused, naming both lines', () => {
  fails(
    [
      { containerId: 0, hostId: 100000, size: 1000 },
      { containerId: 2000, hostId: 300000, size: 10 },
      { containerId: 999, hostId: 200000, size: 1 },
    ],
    'ISOLA_USERNS_MAP_OVERLAP',
    [1, 3],
  );
});

test('ranges overlapping on the host are refused, naming both lines', () => {
  fails(
    [
      { containerId: 0, hostId: 100500, size: 10 },
      { containerId: 1000, hostId: 100000, size: 1000 },
    ],
    'ISOLA_USERNS_MAP_OVERLAP',
    [1, 2],
  );
});

test('a range inside another range is refused', () => {
  fails(
    [
      { containerId: 0, hostId: 100000, size: 65536 },
      { containerId: 10, hostId: 300000, size: 1 },
    ],
    'ISOLA_USERNS_MAP_OVERLAP',
    [1, 2],
  );
});

test('identical lines overlap', () => {
  const line = { containerId: 0, hostId: 1000, size: 1 };
  fails([line, line], 'ISOLA_USERNS_MAP_OVERLAP', [1, 2]);
});

test('adjacent ranges on both sides are fine', () => {
  validateIdMap(
    [
      { containerId: 1001, hostId: 101000, size: 64535 },
      { containerId: 0, hostId: 100000, size: 1000 },
      { containerId: 1000, hostId: 1000, size: 1 },
    ],
    'gid',
  );
  validateIdMap(
    [
      { containerId: 0, hostId: 100000, size: 10 },
      { containerId: 10, hostId: 100010, size: 10 },
    ],
    'uid',
  );
});

test('the kind of map is named in the error', () => {
  assert.throws(() => validateIdMap([], 'gid'), (err: { kind?: string }) => err.kind === 'gid');
});
