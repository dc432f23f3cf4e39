/**
 * Writes a LaunchPlan in the shim's wire format (native/plan.h): a header,
 * then typed records of u64 and NUL-terminated string fields.
 */
import { CLONE_FLAGS, DETACH, HOOK_KIND, MAP_WRITER, MOUNT_ATTR_IDMAP, MOUNT_KIND, OVERLAY_FLAGS, PLAN_VERSION, SECCOMP_PHASE, TAG } from './plan-tags.ts';
import type { LaunchPlan, PlanMount } from './launch-plan.ts';
import type { IdMapEntry } from '../userns/index.ts';

type Field = bigint | number | string | Uint8Array;

/** File type bits for mknod(2). */
const S_IF = { char: 0o020000, block: 0o060000, fifo: 0o010000 } as const;

/**
 * Writes into one growing buffer: a plan has hundreds of fields, and a
 * buffer (and a BigInt) per field cost over a millisecond of a cold start.
 */
class PlanWriter {
  #buffer = Buffer.allocUnsafe(16384);
  #length = 16;
  #count = 0;

  record(tag: number, fields: readonly Field[]): void {
    this.#reserve(8);
    this.#buffer.writeUInt32LE(tag, this.#length);
    this.#buffer.writeUInt32LE(fields.length, this.#length + 4);
    this.#length += 8;
    for (const field of fields) this.#field(field);
    this.#count++;
  }

  finish(): Buffer {
    const out = this.#buffer.subarray(0, this.#length);
    out.write('ISOLAPLN', 0, 'latin1');
    out.writeUInt32LE(PLAN_VERSION, 8);
    out.writeUInt32LE(this.#count, 12);
    return out;
  }

  #reserve(bytes: number): void {
    if (this.#length + bytes <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#length + bytes));
    this.#buffer.copy(grown, 0, 0, this.#length);
    this.#buffer = grown;
  }

  #field(field: Field): void {
    if (typeof field === 'number' && Number.isSafeInteger(field) && field >= 0) {
      this.#reserve(9);
      this.#buffer[this.#length] = 0x75; // 'u'
      this.#buffer.writeUInt32LE(field % 0x1_0000_0000, this.#length + 1);
      this.#buffer.writeUInt32LE(Math.floor(field / 0x1_0000_0000), this.#length + 5);
      this.#length += 9;
    } else if (typeof field === 'number' || typeof field === 'bigint') {
      // Negative numbers as two's complement.
      this.#reserve(9);
      this.#buffer[this.#length] = 0x75;
      this.#buffer.writeBigUInt64LE(BigInt.asUintN(64, BigInt(field)), this.#length + 1);
      this.#length += 9;
    } else if (typeof field === 'string') {
      if (field.includes('\0')) throw new TypeError(`plan string contains a NUL byte: ${JSON.stringify(field)}`);
      const size = Buffer.byteLength(field, 'utf8');
      this.#bytes(0x73, size, (at) => this.#buffer.write(field, at, size, 'utf8')); // 's'
    } else {
      this.#bytes(0x62, field.length, (at) => this.#buffer.set(field, at)); // 'b'
    }
  }

  /** kind, u32 length, the bytes, NUL. */
  #bytes(kind: number, size: number, write: (at: number) => void): void {
    this.#reserve(6 + size);
    this.#buffer[this.#length] = kind;
    this.#buffer.writeUInt32LE(size, this.#length + 1);
    write(this.#length + 5);
    this.#buffer[this.#length + 5 + size] = 0;
    this.#length += 6 + size;
  }
}

function mapFields(entries: readonly IdMapEntry[]): number[] {
  return entries.flatMap((e) => [e.containerId, e.hostId, e.size]);
}

function mountKind(mount: PlanMount): number {
  return (mount.isBind ? MOUNT_KIND.bind : 0) | (mount.isRecursive ? MOUNT_KIND.recursive : 0) |
    (mount.createTarget === 'dir' ? MOUNT_KIND.targetDir : 0) |
    (mount.createTarget === 'file' ? MOUNT_KIND.targetFile : 0) | (mount.isPrecreated ? MOUNT_KIND.precreate : 0);
}

function writeIdMaps(w: PlanWriter, plan: LaunchPlan): void {
  const maps = plan.idMaps;
  if (maps === undefined) return;
  w.record(TAG.uidMap, mapFields(maps.uidMap));
  w.record(TAG.gidMap, mapFields(maps.gidMap));
  if (maps.writer.method === 'direct') w.record(TAG.mapWriter, [MAP_WRITER.direct, maps.writer.denySetgroups ? 1 : 0, '', '']);
  else w.record(TAG.mapWriter, [MAP_WRITER.helper, 0, maps.writer.newuidmap, maps.writer.newgidmap]);
  if (maps.setupIds !== undefined) w.record(TAG.setupIds, [maps.setupIds.uid, maps.setupIds.gid]);
}

function writeFilesystem(w: PlanWriter, plan: LaunchPlan): void {
  if (plan.rootfs === undefined) return;
  w.record(TAG.rootfs, [plan.rootfs.path, plan.rootfs.propagation, plan.rootfs.isReadonly ? 1 : 0]);
  const overlay = plan.rootfsOverlay;
  if (overlay !== undefined) {
    const flags = (overlay.isIdmapped ? OVERLAY_FLAGS.idmapLowers : 0) | (overlay.isInUserns ? OVERLAY_FLAGS.inUserns : 0);
    w.record(TAG.rootfsOverlay, [overlay.upper, overlay.work, overlay.options, flags, ...overlay.lowers]);
  }
  for (const dir of plan.ensureDirs) w.record(TAG.ensureDir, [dir.path, dir.isPrecreated ? 1 : 0]);
  for (const m of plan.mounts) {
    const attrSet = m.idmap === undefined ? m.attrSet : m.attrSet | MOUNT_ATTR_IDMAP;
    w.record(TAG.mount, [m.source, m.destination, m.fstype, m.flags, m.data, mountKind(m), attrSet >>> 0, m.propagation]);
    if (m.idmap !== undefined && m.idmap !== 'container') {
      w.record(TAG.mountIdmap, [m.idmap.uidMap.length, ...mapFields(m.idmap.uidMap), ...mapFields(m.idmap.gidMap)]);
    }
  }
  for (const node of plan.deviceNodes ?? []) {
    w.record(TAG.mknod, [node.path, S_IF[node.type], node.major, node.minor, node.mode, node.uid, node.gid]);
  }
  for (const link of plan.symlinks) w.record(TAG.symlink, [link.target, link.path]);
  for (const path of plan.maskedPaths) w.record(TAG.maskPath, [path]);
  for (const path of plan.readonlyPaths) w.record(TAG.readonlyPath, [path]);
  for (const sysctl of plan.sysctls ?? []) w.record(TAG.sysctl, [sysctl.path, sysctl.value]);
}

function writeKernelSettings(w: PlanWriter, plan: LaunchPlan): void {
  if (plan.personality !== undefined) w.record(TAG.personality, [plan.personality]);
  const time = plan.timeOffsets;
  if (time !== undefined) {
    w.record(TAG.timeOffsets, [time.monotonic.secs, time.monotonic.nanosecs, time.boottime.secs, time.boottime.nanosecs]);
  }
  const seccomp = plan.seccomp;
  if (seccomp !== undefined) {
    const phase = seccomp.phase === 'before-exec' ? SECCOMP_PHASE.beforeExec : SECCOMP_PHASE.beforeIdentity;
    w.record(TAG.seccomp, [seccomp.flags, phase, seccomp.program]);
  }
}

function writeProcess(w: PlanWriter, plan: LaunchPlan): void {
  if (plan.hostname !== undefined) w.record(TAG.hostname, [plan.hostname]);
  if (plan.domainname !== undefined) w.record(TAG.domainname, [plan.domainname]);
  if (plan.isLoopbackUp) w.record(TAG.loopbackUp, []);
  for (const r of plan.rlimits) w.record(TAG.rlimit, [r.resource, r.soft, r.hard]);
  if (plan.oomScoreAdj !== undefined) w.record(TAG.oomScoreAdj, [plan.oomScoreAdj]);
  if (plan.hasNewSession) w.record(TAG.newSession, []);
  if (plan.isExecutableCheckedAtCreate === true) w.record(TAG.checkExecutable, []);
  if ((plan.preservedFds ?? 0) > 0) w.record(TAG.preserveFds, [plan.preservedFds ?? 0]);
  if (plan.terminal !== undefined) {
    w.record(TAG.terminal, [plan.terminal.rows, plan.terminal.cols, plan.terminal.isHostRaw ? 1 : 0]);
  }
  w.record(TAG.user, [plan.user.uid, plan.user.gid, plan.user.umask]);
  if (plan.additionalGids !== undefined) w.record(TAG.groups, [...plan.additionalGids]);
  const c = plan.capabilities;
  w.record(TAG.capabilities, [c.bounding, c.effective, c.permitted, c.inheritable, c.ambient]);
  if (plan.noNewPrivileges) w.record(TAG.noNewPrivs, []);
  w.record(TAG.cwd, [plan.cwd]);
  const make = plan.makeCwd;
  if (make !== undefined && plan.rootfs !== undefined) {
    const keep = 0xffffffff;
    w.record(TAG.makeCwd, [make.path, make.isPrecreated ? 1 : 0, make.owner?.uid ?? keep, make.owner?.gid ?? keep]);
  }
  w.record(TAG.args, [...plan.args]);
  w.record(TAG.env, [...plan.env]);
}

function writeMonitor(w: PlanWriter, plan: LaunchPlan): void {
  const monitor = plan.monitor;
  if (monitor === undefined) return;
  w.record(TAG.exitFile, [monitor.exitFile]);
  if (monitor.log !== undefined) w.record(TAG.logFile, [monitor.log.path, monitor.log.maxBytes, monitor.log.keepFiles]);
  if (monitor.exitCommand !== undefined && monitor.exitCommand.length > 0) w.record(TAG.exitCommand, [...monitor.exitCommand]);
  if (monitor.attachSocket !== undefined) w.record(TAG.attachSocket, [monitor.attachSocket]);
  if (monitor.hasStdinPipe === true) w.record(TAG.stdinPipe, []);
}

function writeTakeover(w: PlanWriter, plan: LaunchPlan): void {
  const takeover = plan.takeover;
  if (takeover === undefined) return;
  if (takeover.removeAtExit.length > 0) w.record(TAG.removeAtExit, [...takeover.removeAtExit]);
  if (takeover.failureCommand.length > 0) w.record(TAG.failureCommand, [...takeover.failureCommand]);
  if (takeover.isStdinNull) w.record(TAG.stdinNull, []);
  // The monitor's pid holds the container's ID range and removes its files: no orphans.
  w.record(TAG.dieWithMonitor, []);
}

function writeLifecycle(w: PlanWriter, plan: LaunchPlan): void {
  for (const ns of plan.joinNamespaces ?? []) w.record(TAG.joinNamespace, [CLONE_FLAGS[ns.kind], ns.path]);
  if (plan.execFifo !== undefined) w.record(TAG.execFifo, [plan.execFifo]);
  if (plan.detach !== undefined) w.record(TAG.detach, [DETACH[plan.detach]]);
  if (plan.pidFile !== undefined) w.record(TAG.pidFile, [plan.pidFile]);
  if (plan.consoleSocket !== undefined) w.record(TAG.consoleSocket, [plan.consoleSocket]);
  for (const hook of plan.hooks ?? []) {
    const args = hook.args.length === 0 ? [hook.path] : hook.args;
    w.record(TAG.hook, [HOOK_KIND[hook.kind], hook.timeoutSeconds, args.length, hook.stateBeforePid, hook.stateAfterPid,
      hook.path, ...args, ...hook.env]);
  }
}

export function encodeLaunchPlan(plan: LaunchPlan): Buffer {
  if (plan.args.length === 0) throw new TypeError('a launch plan needs at least one argument');
  const w = new PlanWriter();
  const flags = plan.namespaces.reduce((sum, kind) => sum | CLONE_FLAGS[kind], 0);
  w.record(TAG.namespaces, [flags >>> 0]);
  if (plan.cgroupProcs !== undefined && plan.cgroupProcs.length > 0) w.record(TAG.cgroupProcs, [...plan.cgroupProcs]);
  writeLifecycle(w, plan);
  writeMonitor(w, plan);
  writeTakeover(w, plan);
  writeIdMaps(w, plan);
  writeFilesystem(w, plan);
  writeProcess(w, plan);
  writeKernelSettings(w, plan);
  return w.finish();
}
