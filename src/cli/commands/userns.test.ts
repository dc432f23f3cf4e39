import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IdAllocationsReport } from '../../engine/index.ts';
import { formatAllocations, formatAllocationsJson } from './userns.ts';

const pool = { source: 'default' as const, uids: [{ start: 2147483648, size: 2147418112 }], gids: [{ start: 2147483648, size: 2147418112 }],
  blockSize: 65536, blocks: 32767, freeBlocks: 32765 };
const report: IdAllocationsReport = {
  pool,
  allocations: [
    { containerId: 'a'.repeat(64), hostUid: 2147483648, hostGid: 2147483648, size: 65536, sinceMs: Date.UTC(2026, 10, 23, 12, 0, 1) },
    { containerId: undefined, hostUid: 2147549184, hostGid: 2147614720, size: 1000, sinceMs: Date.UTC(2026, 10, 23, 12, 0, 2) },
  ],
};

test('the table shows each allocation\'s short container id, host ranges, size and time, then the pool', () => {
  const lines = formatAllocations(report).trimEnd().split('\n').map((line) => line.split(/\s{3,}/));
  assert.deepEqual(lines, [
    ['CONTAINER', 'HOST UIDS', 'HOST GIDS', 'SIZE', 'SINCE'],
    ['aaaaaaaaaaaa', '2147483648-2147549183', '2147483648-2147549183', '65536', '2026-11-23 12:00:01Z'],
    ['-', '2147549184-2147550183', '2147614720-2147615719', '1000', '2026-11-23 12:00:02Z'],
    ['pool: 2147483648-4294901759 (32767 blocks of 65536), 32765 free'],
  ]);
});

test('the pool line names uid and gid ranges apart when they differ', () => {
  const split = { ...report, allocations: [], pool: { ...pool, gids: [{ start: 3000000000, size: 65536 }] } };
  assert.match(formatAllocations(split), /^pool: uids 2147483648-4294901759, gids 3000000000-3000065535 \(/m);
});

test('json is an array of allocations with full container ids and ISO times, and [] when there are none', () => {
  assert.deepEqual(JSON.parse(formatAllocationsJson(report)), [
    { container: 'a'.repeat(64), hostUid: 2147483648, hostGid: 2147483648, size: 65536, since: '2026-11-23T12:00:01.000Z' },
    { container: null, hostUid: 2147549184, hostGid: 2147614720, size: 1000, since: '2026-11-23T12:00:02.000Z' },
  ]);
  assert.deepEqual(JSON.parse(formatAllocationsJson({ ...report, allocations: [] })), []);
});
