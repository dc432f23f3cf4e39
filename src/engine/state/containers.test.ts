import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { deleteContainer, findContainer, insertContainer, listContainers, updateContainer } from './containers.ts';
import { insertIdAllocation, listIdAllocations } from './id-allocations.ts';
import { openStateDb, type StateDb } from './state-db.ts';

let base = '';
let db: StateDb;
const creator = { pid: 1, startTime: 1 };
const row = (id: string, name: string) => ({
  id, name, rootfs: '/r', command: ['sleep', '1'], options: '{}', runDir: `/run/${id}`, createdMs: 1, creator,
  restartPolicy: 'no', restartMax: 0, isAutoRemove: false,
});

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'isola-containers-'));
  db = await openStateDb(base);
});
after(async () => {
  db.close();
  await rm(base, { recursive: true, force: true });
});

test('a container is found by id, unique id prefix or name, and not by an ambiguous prefix', () => {
  insertContainer(db, row('abc123', 'one'));
  insertContainer(db, row('abd456', 'two'));
  assert.equal(findContainer(db, 'abc123')?.name, 'one');
  assert.equal(findContainer(db, 'abd')?.name, 'two');
  assert.equal(findContainer(db, 'two')?.id, 'abd456');
  assert.equal(findContainer(db, 'ab'), undefined);
  assert.equal(findContainer(db, 'zzz'), undefined);
});

test('a name is unique among containers', () => {
  assert.throws(() => insertContainer(db, row('fff000', 'one')));
});

test('a state change applies only from the expected states, once', () => {
  insertContainer(db, row('cas000', 'cas'));
  assert.equal(updateContainer(db, 'cas000', ['creating'], { state: 'created' }), true);
  assert.equal(updateContainer(db, 'cas000', ['creating'], { state: 'stopped' }), false);
  assert.equal(findContainer(db, 'cas')?.state, 'created');
});

test('an allocation that names a recorded container has no holders, so it is never collected, and goes with the container', () => {
  insertContainer(db, row('ids000', 'ids'));
  insertIdAllocation(db, { containerId: 'ids000', hostUid: 1, hostGid: 1, size: 1, holder: { pid: 999999999, startTime: 1 }, createdMs: 1 });
  assert.deepEqual(listIdAllocations(db).find((a) => a.containerId === 'ids000')?.holders, []);
  db.immediate(() => deleteContainer(db, 'ids000'));
  assert.equal(listIdAllocations(db).some((a) => a.containerId === 'ids000'), false);
  assert.equal(listContainers(db).some((c) => c.id === 'ids000'), false);
});
