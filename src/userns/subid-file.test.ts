import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseSubidFile, readSubidRanges } from './subid-file.ts';

test('parseSubidFile reads owner, range and line number, skipping comments and blank lines', () => {
  const text = '# granted by usermod\nalice:100000:65536\n\n   \n  # indented comment\n1001:165536:65536\n';
  assert.deepEqual(parseSubidFile(text, '/etc/subuid'), [
    { owner: 'alice', range: { start: 100000, size: 65536 }, line: 2 },
    { owner: '1001', range: { start: 165536, size: 65536 }, line: 6 },
  ]);
});

test('parseSubidFile tolerates CRLF line ends and a missing final newline', () => {
  assert.deepEqual(parseSubidFile('bob:200000:10\r\ncarol:300000:20', '/etc/subgid'), [
    { owner: 'bob', range: { start: 200000, size: 10 }, line: 1 },
    { owner: 'carol', range: { start: 300000, size: 20 }, line: 2 },
  ]);
});

test('parseSubidFile of an empty file is empty', () => {
  assert.deepEqual(parseSubidFile('', '/etc/subuid'), []);
});

for (const line of ['alice:100000', 'alice:100000:65536:1', ':100000:65536', 'alice:x:65536', 'alice:100000:-1', 'alice:100000:0', 'alice:4294967296:1', 'alice: 100000:65536']) {
  test(`parseSubidFile rejects ${JSON.stringify(line)} naming the file and line`, () => {
    assert.throws(
      () => parseSubidFile(`# header\nbob:200000:65536\n${line}\n`, '/etc/subuid'),
      (err: { code?: string; file?: string; line?: number }) =>
        err.code === 'ISOLA_USERNS_SUBID_MALFORMED' && err.file === '/etc/subuid' && err.line === 3,
    );
  });
}

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'isola-subid-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('readSubidRanges returns the user\'s ranges by name and by numeric uid, in file order', async () => {
  const path = join(dir, 'subuid');
  await writeFile(path, 'alice:100000:65536\nbob:165536:65536\n1000:231072:1000\n01000:300000:5\nalicex:400000:1\n');
  assert.deepEqual(await readSubidRanges(path, { name: 'alice', id: 1000 }), [
    { start: 100000, size: 65536 },
    { start: 231072, size: 1000 },
    { start: 300000, size: 5 },
  ]);
});

test('readSubidRanges returns nothing for a user the file does not list', async () => {
  const path = join(dir, 'subuid-other');
  await writeFile(path, 'bob:165536:65536\n');
  assert.deepEqual(await readSubidRanges(path, { name: 'alice', id: 1000 }), []);
});

test('readSubidRanges treats a missing file as granting nothing', async () => {
  assert.deepEqual(await readSubidRanges(join(dir, 'absent'), { name: 'alice', id: 1000 }), []);
});

test('readSubidRanges reports a malformed line even when it belongs to another user', async () => {
  const path = join(dir, 'subuid-bad');
  await writeFile(path, 'alice:100000:65536\nbob:oops\n');
  await assert.rejects(readSubidRanges(path, { name: 'alice', id: 1000 }), (err: { code?: string; line?: number }) => {
    return err.code === 'ISOLA_USERNS_SUBID_MALFORMED' && err.line === 2;
  });
});

test('readSubidRanges reports a path it cannot read as a file', async () => {
  await assert.rejects(readSubidRanges(dir, { name: 'alice', id: 1000 }), (err: { code?: string; file?: string }) => {
    return err.code === 'ISOLA_USERNS_SUBID_UNREADABLE' && err.file === dir;
  });
});
