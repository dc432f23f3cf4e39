import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostContext } from '../runtime/index.ts';
import { storageWriter } from './storage-writer.ts';

const settings = { shimPath: '/nonexistent/isola-shim', searchPath: '/usr/bin:/bin' };

function rootlessHost(): HostContext {
  return {
    isPrivileged: false, uid: 1000, gid: 1000, userName: 'alice',
    subuids: [{ start: 200000, size: 65536 }], subgids: [{ start: 300000, size: 65536 }],
    idMapHelpers: undefined,
  };
}

test('a privileged caller has no storage writer', async () => {
  assert.equal(await storageWriter(settings, { ...rootlessHost(), isPrivileged: true, uid: 0, gid: 0 }), undefined);
});

test('a rootless caller gets one writer per host context, mapping its own ids and its subordinate ones', async () => {
  const host = rootlessHost();
  const writer = await storageWriter(settings, host);
  assert.equal(await storageWriter(settings, host), writer);
  assert.notEqual(await storageWriter(settings, rootlessHost()), writer);
  assert.deepEqual(writer?.maps.uidMap[0], { containerId: 0, hostId: 1000, size: 1 });
  assert.deepEqual(writer?.maps.uidMap[1], { containerId: 1, hostId: 200000, size: 65536 });
});
