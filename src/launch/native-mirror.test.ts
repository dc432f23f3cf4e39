import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { STEP_NAMES } from './steps.ts';
import { DETACH, HOOK_KIND, MAP_WRITER, MOUNT_KIND, OVERLAY_FLAGS, PLAN_VERSION, SECCOMP_PHASE, TAG } from './plan-tags.ts';
import { DETAIL_BYTES, MESSAGE_TYPE } from './messages.ts';

const native = (name: string): Promise<string> => readFile(new URL(`../../native/${name}`, import.meta.url), 'utf8');

test('every step in native/steps.h has the same number and name in steps.ts', async () => {
  const header = await native('steps.h');
  const steps = [...header.matchAll(/X\(STEP_\w+, (\d+), "([\w-]+)"\)/g)].map((m) => [Number(m[1]), m[2]]);
  assert.ok(steps.length > 40);
  assert.deepEqual(Object.fromEntries(steps), STEP_NAMES);
});

test('every plan tag in native/plan.h has the same number in plan-tags.ts', async () => {
  const header = await native('plan.h');
  const tags = [...header.matchAll(/X\(TAG_(\w+), (\d+), "/g)].map((m) => [m[1]!.toLowerCase().replace(/_(\w)/g, (_, c: string) => c.toUpperCase()), Number(m[2])]);
  assert.deepEqual(Object.fromEntries(tags), TAG);
  assert.match(header, new RegExp(`#define PLAN_VERSION ${PLAN_VERSION}\\b`));
  for (const [name, value] of Object.entries(MOUNT_KIND)) {
    const cName = name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
    assert.match(header, new RegExp(`#define MOUNT_KIND_${cName} ${value}u`), name);
  }
  assert.match(header, new RegExp(`#define OVERLAY_IDMAP_LOWERS ${OVERLAY_FLAGS.idmapLowers}u`));
  assert.match(header, new RegExp(`#define OVERLAY_IN_USERNS ${OVERLAY_FLAGS.inUserns}u`));
  assert.match(header, new RegExp(`#define MAP_WRITER_DIRECT ${MAP_WRITER.direct}u`));
  assert.match(header, new RegExp(`#define MAP_WRITER_HELPER ${MAP_WRITER.helper}u`));
  assert.match(header, new RegExp(`#define SECCOMP_PHASE_BEFORE_IDENTITY ${SECCOMP_PHASE.beforeIdentity}u`));
  assert.match(header, new RegExp(`#define SECCOMP_PHASE_BEFORE_EXEC ${SECCOMP_PHASE.beforeExec}u`));
  assert.match(header, new RegExp(`#define DETACH_EXIT ${DETACH.exit}u`));
  assert.match(header, new RegExp(`#define DETACH_STAY ${DETACH.stay}u`));
  assert.match(header, new RegExp(`#define HOOK_CREATE_CONTAINER ${HOOK_KIND.createContainer}u`));
  assert.match(header, new RegExp(`#define HOOK_START_CONTAINER ${HOOK_KIND.startContainer}u`));
});

test('the report message layout in native/report.h matches messages.ts', async () => {
  const header = await native('report.h');
  assert.match(header, new RegExp(`#define MSG_DETAIL_BYTES ${DETAIL_BYTES}\\b`));
  assert.match(header, new RegExp(`#define MSG_CHILD_PID ${MESSAGE_TYPE.childPid}\\b`));
  assert.match(header, new RegExp(`#define MSG_STARTED ${MESSAGE_TYPE.started}\\b`));
  assert.match(header, new RegExp(`#define MSG_FAILED ${MESSAGE_TYPE.failed}\\b`));
  assert.match(header, new RegExp(`#define MSG_EXITED ${MESSAGE_TYPE.exited}\\b`));
  assert.match(header, new RegExp(`#define MSG_CREATED ${MESSAGE_TYPE.created}\\b`));
});
