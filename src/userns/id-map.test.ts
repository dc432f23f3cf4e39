import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatProcIdMap, parseIdMapSpec, parseProcIdMap, toHostId } from './id-map.ts';

test('parseIdMapSpec reads container id, host id and length', () => {
  assert.deepEqual(parseIdMapSpec('0:100000:65536', '--uidmap'), { containerId: 0, hostId: 100000, size: 65536 });
  assert.deepEqual(parseIdMapSpec('1000:1000:1', '--gidmap'), { containerId: 1000, hostId: 1000, size: 1 });
});

test('parseIdMapSpec accepts the highest id that can be mapped', () => {
  assert.deepEqual(parseIdMapSpec('4294967294:0:1', '--uidmap'), { containerId: 4294967294, hostId: 0, size: 1 });
  assert.deepEqual(parseIdMapSpec('0:0:4294967295', '--uidmap'), { containerId: 0, hostId: 0, size: 4294967295 });
});

for (const spec of ['', '0:1', '0:1:2:3', 'a:b:c', '-1:0:1', '0:-1:1', '0:0:0', '0:0:', ' 0:0:1', '0:0:1.5', '0x10:0:1', '4294967295:0:1', '0:4294967295:1', '0:0:4294967296', '0:0:99999999999999999999']) {
  test(`parseIdMapSpec rejects ${JSON.stringify(spec)} naming the option`, () => {
    assert.throws(
      () => parseIdMapSpec(spec, '--uidmap'),
      (err: { code?: string; option?: string }) => err.code === 'ISOLA_INVALID_OPTION' && err.option === '--uidmap',
    );
  });
}

test('formatProcIdMap writes one "inside outside length" line per entry', () => {
  const text = formatProcIdMap([
    { containerId: 0, hostId: 100000, size: 1000 },
    { containerId: 1000, hostId: 1000, size: 1 },
  ]);
  assert.equal(text, '0 100000 1000\n1000 1000 1\n');
});

test('formatProcIdMap of no entries is empty', () => {
  assert.equal(formatProcIdMap([]), '');
});

test('parseProcIdMap reads the aligned columns /proc/PID/uid_map shows', () => {
  const text = '         0     100000       1000\n      1000       1000          1\n';
  assert.deepEqual(parseProcIdMap(text), [
    { containerId: 0, hostId: 100000, size: 1000 },
    { containerId: 1000, hostId: 1000, size: 1 },
  ]);
});

test('parseProcIdMap reads the identity map of the initial user namespace', () => {
  assert.deepEqual(parseProcIdMap('         0          0 4294967295\n'), [{ containerId: 0, hostId: 0, size: 4294967295 }]);
});

test('parseProcIdMap reads back what formatProcIdMap wrote', () => {
  const entries = [
    { containerId: 0, hostId: 231072, size: 65536 },
    { containerId: 65536, hostId: 1000, size: 1 },
  ];
  assert.deepEqual(parseProcIdMap(formatProcIdMap(entries)), entries);
});

test('parseProcIdMap of an empty file is an empty map', () => {
  assert.deepEqual(parseProcIdMap(''), []);
});

for (const text of ['0 0\n', '0 0 1 1\n', 'a b c\n', '0 0 -1\n', '0 0 4294967296\n']) {
  test(`parseProcIdMap rejects ${JSON.stringify(text)} naming the line`, () => {
    assert.throws(
      () => parseProcIdMap(`0 0 1\n${text}`),
      (err: { code?: string; line?: number }) => err.code === 'ISOLA_USERNS_PROC_MAP_MALFORMED' && err.line === 2,
    );
  });
}

test('toHostId translates ids inside any line of the map', () => {
  const map = [
    { containerId: 0, hostId: 100000, size: 1000 },
    { containerId: 1000, hostId: 1000, size: 1 },
    { containerId: 1001, hostId: 101000, size: 64535 },
  ];
  assert.equal(toHostId(map, 0), 100000);
  assert.equal(toHostId(map, 999), 100999);
  assert.equal(toHostId(map, 1000), 1000);
  assert.equal(toHostId(map, 1001), 101000);
  assert.equal(toHostId(map, 65535), 165534);
});

test('toHostId returns undefined for an id the map does not cover', () => {
  const map = [{ containerId: 0, hostId: 100000, size: 65536 }];
  assert.equal(toHostId(map, 65536), undefined);
  assert.equal(toHostId([], 0), undefined);
});
