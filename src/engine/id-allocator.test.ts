import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { IdAllocator, type IdAllocation } from './id-allocator.ts';
import { insertIdAllocation, openStateDb, readProcessIdentity, type ProcessIdentity } from './state/index.ts';
import type { IdBlock } from '../userns/index.ts';

let base = '';
let counter = 0;
before(async () => { base = await mkdtemp(join(tmpdir(), 'isola-alloc-')); });
after(async () => { await rm(base, { recursive: true, force: true }); });

interface Setup {
  readonly root: string;
  readonly uidFile: string;
  readonly gidFile: string;
  readonly allocator: IdAllocator;
}

/** A fresh root and subid files; root's pool unless `rootless` gives the caller's ranges. */
async function setUp(t: { after(fn: () => Promise<void>): void }, subuid = '', subgid = subuid,
  rootless?: { subuids: { start: number; size: number }[]; subgids: { start: number; size: number }[] }): Promise<Setup> {
  const dir = join(base, String(counter++));
  const root = join(dir, 'root');
  const uidFile = join(base, `subuid-${counter}`);
  const gidFile = join(base, `subgid-${counter}`);
  await Promise.all([writeFile(uidFile, subuid), writeFile(gidFile, subgid)]);
  const host = rootless === undefined
    ? { isPrivileged: true, userName: 'root', subuids: [], subgids: [] }
    : { isPrivileged: false, userName: 'alice', ...rootless };
  const allocator = new IdAllocator({ root, host, subidFiles: { uidFile, gidFile } });
  t.after(() => allocator.close());
  return { root, uidFile, gidFile, allocator };
}

function overlaps(a: IdBlock, b: IdBlock): boolean {
  const apart = (x: number, y: number) => x + a.size <= y || y + b.size <= x;
  return !apart(a.hostUid, b.hostUid) || !apart(a.hostGid, b.hostGid);
}

/** A process identity that no longer runs: a child that has exited. */
async function deadProcess(): Promise<ProcessIdentity> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
  const identity = await readProcessIdentity(child.pid ?? 0);
  child.kill('SIGKILL');
  await once(child, 'exit');
  assert.ok(identity !== undefined);
  return identity;
}

/** Reads a stream line by line: each call resolves with the next line. */
function lineReader(stream: NodeJS.ReadableStream): () => Promise<string> {
  let buffered = '';
  const waiting: ((line: string) => void)[] = [];
  const lines: string[] = [];
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    for (let newline = buffered.indexOf('\n'); newline !== -1; newline = buffered.indexOf('\n')) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      const resolve = waiting.shift();
      if (resolve !== undefined) resolve(line);
      else lines.push(line);
    }
  });
  return () => {
    const line = lines.shift();
    return line !== undefined ? Promise.resolve(line) : new Promise((resolve) => { waiting.push(resolve); });
  };
}

const hasCode = (code: string) => (err: { code?: string }) => err.code === code;

test('allocations from the default pool are disjoint 65536-blocks from 2^31, and a released one is reused', async (t) => {
  const { allocator } = await setUp(t);
  const first = await allocator.allocate({ containerId: 'a' });
  const second = await allocator.allocate({ containerId: 'b' });
  assert.deepEqual(first.block, { hostUid: 2 ** 31, hostGid: 2 ** 31, size: 65536 });
  assert.deepEqual(second.block, { hostUid: 2 ** 31 + 65536, hostGid: 2 ** 31 + 65536, size: 65536 });
  assert.deepEqual(first.idMaps.uidMap, [{ containerId: 0, hostId: 2 ** 31, size: 65536 }]);
  first.release();
  first.release();
  const third = await allocator.allocate({ size: 1000 });
  assert.deepEqual(third.block, { hostUid: 2 ** 31, hostGid: 2 ** 31, size: 1000 });
});

test('list shows live allocations and the pool, and nothing once all are released', async (t) => {
  const { allocator } = await setUp(t);
  const held = await allocator.allocate({ containerId: 'c1' });
  const report = await allocator.list();
  assert.equal(report.allocations.length, 1);
  assert.equal(report.allocations[0]?.containerId, 'c1');
  assert.equal(report.allocations[0]?.hostUid, 2 ** 31);
  assert.deepEqual({ source: report.pool.source, blocks: report.pool.blocks, free: report.pool.freeBlocks }, { source: 'default', blocks: 32767, free: 32766 });
  held.release();
  assert.deepEqual((await allocator.list()).allocations, []);
});

test('allocations persist across allocators on the same root', async (t) => {
  const { root, uidFile, gidFile, allocator } = await setUp(t);
  await allocator.allocate();
  const other = new IdAllocator({ root, subidFiles: { uidFile, gidFile }, host: { isPrivileged: true, userName: 'root', subuids: [], subgids: [] } });
  t.after(() => other.close());
  assert.equal((await other.allocate()).block.hostUid, 2 ** 31 + 65536);
});

test('a full pool, a size larger than the pool and a malformed subuid line each fail and allocate nothing', async (t) => {
  const { allocator } = await setUp(t, 'isola:100000:65536\n');
  const held = await allocator.allocate();
  await assert.rejects(allocator.allocate(), hasCode('ISOLA_USERNS_RANGE_EXHAUSTED'));
  await assert.rejects(allocator.allocate({ size: 65537 }), hasCode('ISOLA_USERNS_SIZE_TOO_LARGE'));
  await assert.rejects(allocator.allocate({ size: 0 }), hasCode('ISOLA_INVALID_OPTION'));
  assert.equal((await allocator.list()).allocations.length, 1);
  held.release();
  const malformed = await setUp(t, 'isola:100000\n');
  await assert.rejects(malformed.allocator.allocate(), hasCode('ISOLA_USERNS_SUBID_MALFORMED'));
  const clean = new IdAllocator({ root: malformed.root, subidFiles: { uidFile: '/dev/null', gidFile: '/dev/null' },
    host: { isPrivileged: true, userName: 'root', subuids: [], subgids: [] } });
  t.after(() => clean.close());
  assert.deepEqual((await clean.list()).allocations, []);
});

test('an allocation whose holder died without releasing it is collected by the next allocation', async (t) => {
  const { root, allocator } = await setUp(t, 'isola:100000:65536\n');
  const db = await openStateDb(root);
  t.after(async () => db.close());
  insertIdAllocation(db, { containerId: 'dead', hostUid: 100000, hostGid: 100000, size: 65536, holder: await deadProcess(), createdMs: 0 });
  const allocation = await allocator.allocate({ containerId: 'alive' });
  assert.equal(allocation.block.hostUid, 100000);
  assert.deepEqual((await allocator.list()).allocations.map((a) => a.containerId), ['alive']);
});

test('an allocation whose holder pid now belongs to another process is collected when the pool is full', async (t) => {
  const { root, allocator } = await setUp(t, 'isola:100000:65536\n');
  const db = await openStateDb(root);
  t.after(async () => db.close());
  const self = await readProcessIdentity(process.pid);
  assert.ok(self !== undefined);
  insertIdAllocation(db, { containerId: 'recycled', hostUid: 100000, hostGid: 100000, size: 65536,
    holder: { pid: self.pid, startTime: self.startTime - 1 }, createdMs: 0 });
  assert.equal((await allocator.allocate()).block.hostUid, 100000);
});

test('an allocation owned by a container, with no holder process, is never collected', async (t) => {
  const { root, allocator } = await setUp(t, 'isola:100000:65536\n');
  const db = await openStateDb(root);
  t.after(async () => db.close());
  db.run('INSERT INTO id_allocations (container_id, host_uid, host_gid, size, created_ms) VALUES (?, ?, ?, ?, ?)', 'detached', 100000, 100000, 65536, 0);
  await assert.rejects(allocator.allocate(), hasCode('ISOLA_USERNS_RANGE_EXHAUSTED'));
  assert.deepEqual((await allocator.list()).allocations.map((a) => a.containerId), ['detached']);
});

test('a recorded monitor keeps the allocation after the allocating process died', async (t) => {
  const { root, allocator } = await setUp(t, 'isola:100000:65536\n');
  const db = await openStateDb(root);
  t.after(async () => db.close());
  const id = insertIdAllocation(db, { containerId: 'monitored', hostUid: 100000, hostGid: 100000, size: 65536, holder: await deadProcess(), createdMs: 0 });
  const self = await readProcessIdentity(process.pid);
  assert.ok(self !== undefined);
  db.run('UPDATE id_allocations SET monitor_pid = ?, monitor_start_time = ? WHERE id = ?', self.pid, self.startTime, id);
  await assert.rejects(allocator.allocate(), hasCode('ISOLA_USERNS_RANGE_EXHAUSTED'));
});

test('recordMonitor stores the monitor as a holder of the allocation', async (t) => {
  const { root, allocator } = await setUp(t);
  const allocation: IdAllocation = await allocator.allocate({ containerId: 'm' });
  await allocation.recordMonitor(process.pid);
  const db = await openStateDb(root);
  t.after(async () => db.close());
  const row = db.statement('SELECT monitor_pid FROM id_allocations WHERE container_id = ?').get('m') as { monitor_pid: number };
  assert.equal(row.monitor_pid, process.pid);
});

test('a rootless caller gets a block of its own subordinate ids, sized to fit, and one container at a time', async (t) => {
  const { allocator } = await setUp(t, '', '', { subuids: [{ start: 200000, size: 65536 }], subgids: [{ start: 300000, size: 65536 }] });
  const allocation = await allocator.allocate();
  assert.deepEqual(allocation.block, { hostUid: 200000, hostGid: 300000, size: 65536 });
  await assert.rejects(allocator.allocate(), hasCode('ISOLA_USERNS_RANGE_EXHAUSTED'));
  const none = await setUp(t, '', '', { subuids: [], subgids: [] });
  await assert.rejects(none.allocator.allocate(), hasCode('ISOLA_USERNS_NO_SUBIDS'));
});

test('20 allocations from parallel processes never overlap', async (t) => {
  const { root, uidFile, gidFile } = await setUp(t);
  const child = join(dirname(fileURLToPath(import.meta.url)), 'id-allocator.test-child.ts');
  const children = Array.from({ length: 20 }, () => spawn(process.execPath, [child, root, uidFile, gidFile], { stdio: ['pipe', 'pipe', 'inherit'] }));
  try {
    const outputs = children.map((c) => lineReader(c.stdout));
    assert.deepEqual(await Promise.all(outputs.map((next) => next())), children.map(() => 'ready'));
    for (const c of children) c.stdin.write('go\n');
    const lines = (await Promise.all(outputs.map((next) => next()))).map((line) => JSON.parse(line) as IdBlock & { error?: string });
    assert.deepEqual(lines.filter((l) => l.error !== undefined), []);
    for (const [i, a] of lines.entries()) {
      for (const b of lines.slice(i + 1)) assert.ok(!overlaps(a, b), `${JSON.stringify(a)} overlaps ${JSON.stringify(b)}`);
    }
  } finally {
    for (const c of children) c.stdin.end();
    await Promise.all(children.map((c) => (c.exitCode === null ? once(c, 'exit') : undefined)));
  }
});
