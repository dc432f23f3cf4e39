/**
 * runtime-spec 1.3 config.json for Linux, field by field: its JSON shape and
 * what isola does with it. Every property of config-schema.json and
 * config-linux.json is listed, so a field is honoured, recorded (a notice)
 * or an error; nothing is dropped silently. Platform sections other than
 * linux are errors: isola runs Linux containers.
 */
import type { Field, Shape } from './config-shape.ts';

const U32 = 2 ** 32 - 1;
/**
 * JSON numbers are exact only up to 2^53, so uint64 and int64 fields take
 * what their parsed double can be: RLIM_INFINITY (2^64-1) parses as 2^64.
 */
const MAX_EXACT = 2 ** 64;
const INT64 = 2 ** 63;

const str = (extra: Omit<Extract<Shape, { kind: 'string' }>, 'kind'> = {}): Shape => ({ kind: 'string', ...extra });
const int = (min: number, max: number): Shape => ({ kind: 'integer', min, max });
const bool: Shape = { kind: 'boolean' };
const arrayOf = (items: Shape, minItems?: number): Shape => ({ kind: 'array', items, ...(minItems === undefined ? {} : { minItems }) });
const obj = (fields: Record<string, Field>, required?: readonly string[]): Shape => ({ kind: 'object', fields, ...(required === undefined ? {} : { required }) });
const mapOf = (values: Shape): Shape => ({ kind: 'map', values });

const honoured = (shape: Shape): Field => ({ shape, support: 'honoured' });
const recorded = (shape: Shape, note: string): Field => ({ shape, support: 'recorded', note });
const unsupported = (shape: Shape, note?: string): Field => ({ shape, support: 'unsupported', ...(note === undefined ? {} : { note }) });
/** Shapes not checked further here: their own module checks them value by value. */
const anyObject: Shape = { kind: 'opaque' };
const open = (shape: Shape): Field => honoured(shape);

const uint64 = int(0, MAX_EXACT);
const int64 = int(-INT64, INT64);
const uint32 = int(0, U32);
const uint16 = int(0, 65535);
const strings = arrayOf(str());

const idMapping = obj({ containerID: honoured(uint32), hostID: honoured(uint32), size: honoured(uint32) }, ['containerID', 'hostID', 'size']);

const hook = obj({
  path: honoured(str()), args: honoured(strings), env: honoured(strings), timeout: honoured(int(1, MAX_EXACT)),
}, ['path']);

const DEVICE_NODE = 'the host node at the same path is bind-mounted, as a user namespace cannot mknod';

const resources = obj({
  // cgroup-request.ts decides which limits this host's cgroups can enforce, and refuses the rest.
  devices: open(arrayOf(obj({ allow: honoured(bool), type: honoured(str({ values: ['a', 'c', 'b'] })), major: honoured(int64), minor: honoured(int64), access: honoured(str({ pattern: /^[rwm]*$/ })) }, ['allow']))),
  pids: open(obj({ limit: honoured(int64) }, ['limit'])),
  memory: open(obj(Object.fromEntries(['kernel', 'kernelTCP', 'limit', 'reservation', 'swap'].map((k) => [k, honoured(int(-1, MAX_EXACT))])
    .concat([['swappiness', honoured(uint64)], ['disableOOMKiller', honoured(bool)], ['useHierarchy', honoured(bool)], ['checkBeforeUpdate', honoured(bool)]])))),
  cpu: open(obj({ cpus: honoured(str()), mems: honoured(str()), period: honoured(uint64), quota: honoured(int64), burst: honoured(uint64),
    realtimePeriod: honoured(uint64), realtimeRuntime: honoured(int64), shares: honoured(uint64), idle: honoured(int64) })),
  blockIO: open(obj({
    weight: honoured(uint16), leafWeight: honoured(uint16),
    weightDevice: honoured(arrayOf(obj({ major: honoured(int64), minor: honoured(int64), weight: honoured(uint16), leafWeight: honoured(uint16) }, ['major', 'minor']))),
    ...Object.fromEntries(['throttleReadBpsDevice', 'throttleWriteBpsDevice', 'throttleReadIOPSDevice', 'throttleWriteIOPSDevice']
      .map((key) => [key, honoured(arrayOf(obj({ major: honoured(int64), minor: honoured(int64), rate: honoured(uint64) }, ['major', 'minor', 'rate'])))])),
  })),
  hugepageLimits: open(arrayOf(obj({ pageSize: honoured(str({ pattern: /^\d+[KMG]B$/ })), limit: honoured(uint64) }, ['pageSize', 'limit']))),
  network: open(obj({ classID: honoured(uint32), priorities: honoured(arrayOf(obj({ name: honoured(str()), priority: honoured(uint32) }, ['name', 'priority']))) })),
  rdma: open(anyObject),
  unified: open(mapOf(str())),
});

const seccomp = obj({
  // security/'s compiler checks actions, operators, flags and architectures and names the field.
  defaultAction: honoured(str()), defaultErrnoRet: honoured(uint32), flags: honoured(strings),
  listenerPath: recorded(str(), 'used only by SCMP_ACT_NOTIFY, which isola does not support'),
  listenerMetadata: recorded(str(), 'used only by SCMP_ACT_NOTIFY, which isola does not support'),
  architectures: honoured(strings),
  syscalls: honoured(arrayOf(obj({
    names: honoured(arrayOf(str(), 1)), action: honoured(str()), errnoRet: honoured(uint32),
    args: honoured(arrayOf(obj({ index: honoured(uint32), value: honoured(uint64), valueTwo: honoured(uint64), op: honoured(str()) }, ['index', 'value', 'op']))),
  }, ['names', 'action']))),
}, ['defaultAction']);

const timeOffset = obj({ secs: honoured(int64), nanosecs: honoured(uint32) });

const NAMESPACE_TYPES = ['mount', 'pid', 'network', 'uts', 'ipc', 'user', 'cgroup', 'time'];

const linux = obj({
  devices: honoured(arrayOf(obj({
    type: honoured(str({ values: ['c', 'b', 'u', 'p'] })), path: honoured(str()),
    major: recorded(int64, DEVICE_NODE), minor: recorded(int64, DEVICE_NODE), fileMode: recorded(uint32, DEVICE_NODE),
    uid: recorded(uint32, DEVICE_NODE), gid: recorded(uint32, DEVICE_NODE),
  }, ['type', 'path']))),
  netDevices: unsupported(mapOf(anyObject), 'moving network devices into the container'),
  uidMappings: honoured(arrayOf(idMapping)), gidMappings: honoured(arrayOf(idMapping)),
  namespaces: honoured(arrayOf(obj({ type: honoured(str({ values: NAMESPACE_TYPES })), path: honoured(str()) }, ['type']))),
  resources: honoured(resources),
  cgroupsPath: honoured(str()),
  rootfsPropagation: honoured(str({ values: ['private', 'shared', 'slave', 'unbindable'] })),
  seccomp: honoured(seccomp),
  sysctl: honoured(mapOf(str())),
  maskedPaths: honoured(strings), readonlyPaths: honoured(strings),
  mountLabel: recorded(str(), 'isola applies no SELinux labels'),
  intelRdt: unsupported(anyObject, 'Intel RDT (resctrl)'),
  memoryPolicy: unsupported(anyObject, 'set_mempolicy for the container process'),
  personality: honoured(obj({ domain: honoured(str({ values: ['LINUX', 'LINUX32'] })), flags: honoured(strings) })),
  timeOffsets: honoured(obj({ boottime: honoured(timeOffset), monotonic: honoured(timeOffset) })),
});

const process = obj({
  args: honoured(strings), commandLine: unsupported(str(), 'Windows only'), consoleSize: honoured(obj({ height: honoured(uint64), width: honoured(uint64) }, ['height', 'width'])),
  cwd: honoured(str()), env: honoured(strings), terminal: honoured(bool),
  user: honoured(obj({ uid: honoured(uint32), gid: honoured(uint32), umask: honoured(uint32), additionalGids: honoured(arrayOf(uint32)),
    username: recorded(str(), 'Windows only') }, ['uid', 'gid'])),
  capabilities: honoured(obj(Object.fromEntries(['bounding', 'permitted', 'effective', 'inheritable', 'ambient'].map((k) => [k, honoured(strings)])))),
  apparmorProfile: recorded(str(), 'isola loads no AppArmor profile'),
  oomScoreAdj: honoured(int(-1000, 1000)),
  selinuxLabel: recorded(str(), 'isola applies no SELinux labels'),
  ioPriority: unsupported(anyObject, 'ioprio_set for the container process'),
  noNewPrivileges: honoured(bool),
  scheduler: unsupported(anyObject, 'sched_setattr for the container process'),
  rlimits: honoured(arrayOf(obj({ type: honoured(str({ pattern: /^RLIMIT_[A-Z]+$/ })), soft: honoured(uint64), hard: honoured(uint64) }, ['type', 'soft', 'hard']))),
  execCPUAffinity: unsupported(anyObject, 'CPU affinity for the container process'),
}, ['cwd', 'user']);

const OTHER_PLATFORM = 'isola runs Linux containers';

export const CONFIG_SHAPE: Shape = obj({
  ociVersion: honoured(str({ pattern: /^1\.\d+\.\d+(?:[-+][\w.+-]*)?$/, hint: 'use a 1.x runtime-spec version such as 1.3.0' })),
  hooks: honoured(obj(Object.fromEntries(['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop']
    .map((k) => [k, honoured(arrayOf(hook))])))),
  annotations: honoured(mapOf(str())),
  hostname: honoured(str()), domainname: honoured(str()),
  mounts: honoured(arrayOf(obj({
    destination: honoured(str()), source: honoured(str()), type: honoured(str()), options: honoured(strings),
    uidMappings: honoured(arrayOf(idMapping)),
    gidMappings: honoured(arrayOf(idMapping)),
  }, ['destination']))),
  root: honoured(obj({ path: honoured(str()), readonly: honoured(bool) }, ['path'])),
  process: honoured(process),
  linux: honoured(linux),
  solaris: unsupported(anyObject, OTHER_PLATFORM), windows: unsupported(anyObject, OTHER_PLATFORM), vm: unsupported(anyObject, OTHER_PLATFORM),
  zos: unsupported(anyObject, OTHER_PLATFORM), freebsd: unsupported(anyObject, OTHER_PLATFORM),
}, ['ociVersion', 'root']);
