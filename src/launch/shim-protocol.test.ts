import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { decodeShimMessage, MESSAGE_BYTES, MESSAGE_TYPE } from './messages.ts';
import { stepName } from './steps.ts';

const shimPath = fileURLToPath(new URL('../../build/isola-shim', import.meta.url));

/** Sends raw bytes as the plan and returns the shim's first report and exit code. */
async function sendRawPlan(plan: Buffer): Promise<{ type: number; step: string; code: number | null }> {
  const shim = spawn(shimPath, [], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
  const socket = shim.stdio[3] as Duplex;
  const length = Buffer.alloc(4);
  length.writeUInt32LE(plan.length);
  socket.end(Buffer.concat([length, plan]));
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  const code = await new Promise<number | null>((resolve) => shim.on('close', resolve));
  const report = Buffer.concat(chunks);
  assert.ok(report.length >= MESSAGE_BYTES, 'the shim reports before it exits');
  const message = decodeShimMessage(report.subarray(0, MESSAGE_BYTES));
  return { type: message.type, step: stepName(message.step), code };
}

const header = (version: number, count: number): Buffer => {
  const b = Buffer.alloc(16);
  b.write('ISOLAPLN', 0, 'latin1');
  b.writeUInt32LE(version, 8);
  b.writeUInt32LE(count, 12);
  return b;
};

const cases: Array<[string, Buffer]> = [
  ['an empty plan', Buffer.alloc(0)],
  ['a wrong magic', Buffer.from('NOTAPLAN\x01\x00\x00\x00\x00\x00\x00\x00', 'latin1')],
  ['an unknown plan version', header(99, 0)],
  ['a record count beyond the data', header(1, 1000)],
  ['an unknown record tag', Buffer.concat([header(1, 1), Buffer.from([250, 0, 0, 0, 0, 0, 0, 0])])],
  ['a string without its NUL', Buffer.concat([header(1, 1), Buffer.from([20, 0, 0, 0, 1, 0, 0, 0, 0x73, 2, 0, 0, 0, 0x73, 0x68, 0x21])])],
  ['a field of the wrong kind', Buffer.concat([header(1, 1), Buffer.from([19, 0, 0, 0, 1, 0, 0, 0, 0x75, 0, 0, 0, 0, 0, 0, 0, 0])])],
  ['a plan without args', header(1, 0)],
];

for (const [name, plan] of cases) {
  test(`the shim refuses ${name} before cloning anything`, async () => {
    const report = await sendRawPlan(plan);
    assert.equal(report.type, MESSAGE_TYPE.failed);
    assert.match(report.step, /^(read-plan|decode-plan)$/);
    assert.equal(report.code, 125);
  });
}
