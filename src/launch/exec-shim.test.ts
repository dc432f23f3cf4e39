import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeTakeoverFailure } from './exec-shim.ts';
import { MESSAGE_BYTES, MESSAGE_TYPE } from './messages.ts';
import { explainFailure } from './shim-error.ts';

function report(type: number, detail: string): string {
  const bytes = Buffer.alloc(MESSAGE_BYTES);
  bytes.writeUInt32LE(type, 0);
  bytes.writeInt32LE(2, 8); // ENOENT
  bytes.writeUInt32LE(45, 12); // exec
  bytes.write(detail, 24);
  return bytes.toString('hex');
}

test('the hex report a takeover\'s shim appends decodes to the failure spawnShim would have read', async () => {
  const error = await explainFailure(decodeTakeoverFailure(report(MESSAGE_TYPE.failed, 'nosuchcmd')));
  assert.equal(error.code, 'ISOLA_LAUNCH_STEP_FAILED');
  assert.equal(error.errnoName, 'ENOENT');
  assert.equal(error.path, 'nosuchcmd');
});

test('a report that is not a failure, of the wrong size or not hex is refused', () => {
  for (const bad of [report(MESSAGE_TYPE.started, ''), report(MESSAGE_TYPE.failed, '').slice(2), 'zz'.repeat(MESSAGE_BYTES), '']) {
    assert.throws(() => decodeTakeoverFailure(bad), { code: 'ISOLA_LAUNCH_BAD_REPORT' });
  }
});
