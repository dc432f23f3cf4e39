import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateOciState } from '../spec/oci-schema.test-helper.ts';
import {
  checkContainerId, deriveStatus, execFifoPath, processStartTime, readRecord, toOciState, writeRecord, type ContainerRecord,
} from './container-state.ts';

async function withRoot(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'isola-rt-state-'));
  try {
    await fn(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function recordOf(root: string, pid: number, pidStartTime: string | undefined): Promise<ContainerRecord> {
  const record: ContainerRecord = {
    ociVersion: '1.3.0', id: 'c1', bundle: '/b', pid, pidStartTime, created: new Date(0).toISOString(), owner: 0,
    annotations: { 'org.example': 'x' }, config: { ociVersion: '1.3.0' },
  };
  await mkdir(join(root, 'c1'), { recursive: true });
  writeRecord(root, record);
  return readRecord(root, 'c1');
}

test('ids with path separators or dots only are refused', () => {
  for (const id of ['a/b', '..', '.', '', 'a b', 'x\n']) {
    assert.throws(() => checkContainerId(id), { code: 'ISOLA_RUNTIME_INVALID_ID' }, id);
  }
  for (const id of ['c1', 'abc-DEF_0.9+x']) checkContainerId(id);
});

test('a missing container is ISOLA_RUNTIME_NOT_FOUND', async () => {
  await withRoot(async (root) => {
    await assert.rejects(readRecord(root, 'nope'), { code: 'ISOLA_RUNTIME_NOT_FOUND' });
  });
});

test('status follows the live process: created with the fifo, running without, stopped on a start-time mismatch', async () => {
  await withRoot(async (root) => {
    const start = await processStartTime(process.pid);
    assert.ok(start !== undefined);
    const record = await recordOf(root, process.pid, start);
    await writeFile(execFifoPath(root, 'c1'), '');
    assert.equal(await deriveStatus(root, record), 'created');
    await rm(execFifoPath(root, 'c1'));
    assert.equal(await deriveStatus(root, record), 'running');
    assert.equal(await deriveStatus(root, { ...record, pidStartTime: '1' }), 'stopped', 'a reused pid is not the container');
    assert.equal(await deriveStatus(root, { ...record, pid: 0 }), 'creating');
  });
});

test('every state document is valid per the runtime-spec state schema', async () => {
  await withRoot(async (root) => {
    const record = await recordOf(root, process.pid, await processStartTime(process.pid));
    for (const status of ['creating', 'created', 'running', 'stopped'] as const) {
      const state = toOciState(record, status);
      assert.deepEqual(validateOciState(state), [], status);
      assert.equal(state.status, status);
    }
    assert.equal(toOciState(record, 'stopped').pid, 0, 'a stopped container has no pid');
    assert.equal(toOciState(record, 'running').pid, process.pid);
  });
});
