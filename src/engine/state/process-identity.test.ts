import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { isPidGone, isProcessGone, parseProcStatStartTime, readProcessIdentity } from './process-identity.ts';

const fields = (comm: string) => `1234 (${comm}) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 50`;

test('the start time is field 22 of /proc/PID/stat', () => {
  assert.equal(parseProcStatStartTime(fields('node')), 987654);
});

test('a command name with spaces and parentheses does not shift the fields', () => {
  assert.equal(parseProcStatStartTime(fields('a) b (c')), 987654);
});

test('a stat text without the field has no start time', () => {
  assert.equal(parseProcStatStartTime('1234 (node) S 1'), undefined);
  assert.equal(parseProcStatStartTime('garbage'), undefined);
});

test('this process is alive under its own identity and gone under another start time', async () => {
  const self = await readProcessIdentity(process.pid);
  assert.ok(self !== undefined);
  assert.equal(isPidGone(process.pid), false);
  assert.equal(await isProcessGone(self), false);
  assert.equal(await isProcessGone({ pid: self.pid, startTime: self.startTime + 1 }), true);
});

test('a process that has exited and been reaped is gone', async () => {
  const child = spawn(process.execPath, ['-e', '0']);
  // Listening before the first await: the child may exit while its identity is read.
  const exited = once(child, 'exit');
  const pid = child.pid ?? 0;
  const identity = await readProcessIdentity(pid);
  await exited;
  assert.equal(isPidGone(pid), true);
  assert.equal(await readProcessIdentity(pid), undefined);
  if (identity !== undefined) assert.equal(await isProcessGone(identity), true);
});

test('pid 0 and negative pids, which kill(2) reads as process groups, count as gone', () => {
  assert.equal(isPidGone(0), true);
  assert.equal(isPidGone(-1), true);
});
