/**
 * `top`: a container's processes seen both ways, as podman's descriptors
 * name them: `user`/`pid` inside the container beside `huser`/`hpid` on the
 * host, which is the point of a user namespace. Read from the cgroup and
 * /proc; names inside come from the container's /etc/passwd and /etc/group
 * (see container-root.ts).
 */
import { InvalidOptionError } from '../../errors/index.ts';
import { userFilesRootOf } from './container-root.ts';
import { parseGroup, parsePasswd, readFileInRoot } from '../../spec/index.ts';
import type { IdMapEntry } from '../../userns/index.ts';
import type { ContainerInfo } from './container-info.ts';
import { containerPids } from './container-pids.ts';

// node:fs/promises loads on first use: this module is on `isola run`'s import path, where loading it costs milliseconds.
async function readFile(path: string, encoding: BufferEncoding): Promise<string> {
  return (await import('node:fs/promises')).readFile(path, encoding);
}

export const TOP_DESCRIPTORS = {
  user: 'USER', huser: 'HUSER', group: 'GROUP', hgroup: 'HGROUP', pid: 'PID', hpid: 'HPID', ppid: 'PPID',
  hppid: 'HPPID', etime: 'ELAPSED', time: 'TIME', pcpu: '%CPU', comm: 'COMMAND', args: 'COMMAND',
} as const;
export type TopDescriptor = keyof typeof TOP_DESCRIPTORS;
/** Both views side by side. */
export const DEFAULT_TOP_DESCRIPTORS: readonly TopDescriptor[] = ['user', 'huser', 'pid', 'hpid', 'ppid', 'etime', 'time', 'args'];

/** The kernel's USER_HZ, fixed at 100 on every architecture Linux exports to user space. */
const CLOCK_TICKS_PER_SEC = 100;
/** What an id without a mapping shows as inside (/proc/sys/kernel/overflowuid). */
const OVERFLOW_ID = 65534;

interface ProcessFacts {
  hpid: number; hppid: number; pid: number; huid: number; hgid: number; startTicks: number; cpuTicks: number; comm: string; args: string;
}

export function checkTopDescriptors(names: readonly string[]): TopDescriptor[] {
  for (const name of names) {
    if (!(name in TOP_DESCRIPTORS)) throw new InvalidOptionError('top', `descriptors among ${Object.keys(TOP_DESCRIPTORS).join(', ')}`, name);
  }
  return names as TopDescriptor[];
}

function insideId(map: readonly IdMapEntry[] | undefined, hostId: number): number {
  if (map === undefined) return hostId;
  const entry = map.find((e) => hostId >= e.hostId && hostId < e.hostId + e.size);
  return entry === undefined ? OVERFLOW_ID : entry.containerId + (hostId - entry.hostId);
}

function statusField(status: string, name: string): string[] {
  const line = status.split('\n').find((l) => l.startsWith(`${name}:`));
  return line === undefined ? [] : line.slice(name.length + 1).trim().split(/\s+/);
}

async function readProcess(hpid: number): Promise<ProcessFacts | undefined> {
  const [status, stat, cmdline] = await Promise.all([
    readFile(`/proc/${hpid}/status`, 'utf8'), readFile(`/proc/${hpid}/stat`, 'latin1'), readFile(`/proc/${hpid}/cmdline`, 'utf8'),
  ].map((p) => p.catch(() => undefined)));
  if (status === undefined || stat === undefined) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const nspid = statusField(status, 'NSpid');
  const comm = statusField(status, 'Name').join(' ');
  return {
    hpid, hppid: Number(statusField(status, 'PPid')[0]), pid: Number(nspid.at(-1) ?? hpid),
    huid: Number(statusField(status, 'Uid')[1]), hgid: Number(statusField(status, 'Gid')[1]),
    // Fields 14, 15 (utime, stime) and 22 (starttime), counted from field 3 after the ')'.
    cpuTicks: Number(fields[11]) + Number(fields[12]), startTicks: Number(fields[19]), comm,
    args: cmdline === undefined || cmdline === '' ? `[${comm}]` : cmdline.replace(/\0$/, '').replaceAll('\0', ' '),
  };
}

function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const hms = [Math.floor(s / 3600) % 24, Math.floor(s / 60) % 60, s % 60].map((n) => String(n).padStart(2, '0')).join(':');
  return s >= 86400 ? `${Math.floor(s / 86400)}-${hms}` : hms;
}

async function nameTables(rootfs: string): Promise<{ inside: [Map<number, string>, Map<number, string>]; host: [Map<number, string>, Map<number, string>] }> {
  const toMaps = (passwd: string | undefined, group: string | undefined): [Map<number, string>, Map<number, string>] => [
    new Map(parsePasswd(passwd ?? '').map((e) => [e.uid, e.name])), new Map(parseGroup(group ?? '').map((e) => [e.gid, e.name])),
  ];
  const [passwd, group, hostPasswd, hostGroup] = await Promise.all([
    readFileInRoot(rootfs, '/etc/passwd').catch(() => undefined), readFileInRoot(rootfs, '/etc/group').catch(() => undefined),
    readFile('/etc/passwd', 'utf8').catch(() => undefined), readFile('/etc/group', 'utf8').catch(() => undefined),
  ]);
  return { inside: toMaps(passwd, group), host: toMaps(hostPasswd, hostGroup) };
}

/** Rows of the requested columns, one per process, ordered by host pid. */
export async function topContainer(info: ContainerInfo, descriptors: readonly TopDescriptor[]): Promise<string[][]> {
  const hpids = await containerPids(info);
  const [facts, names, uptime] = await Promise.all([
    Promise.all(hpids.map(readProcess)), nameTables(await userFilesRootOf(info)), readFile('/proc/uptime', 'utf8'),
  ]);
  const uptimeSec = Number(uptime.split(' ')[0]);
  const processes = facts.filter((p): p is ProcessFacts => p !== undefined);
  const insidePid = new Map(processes.map((p) => [p.hpid, p.pid]));
  return processes.map((p) => {
    const uid = insideId(info.idMaps?.uidMap, p.huid);
    const gid = insideId(info.idMaps?.gidMap, p.hgid);
    const elapsedSec = uptimeSec - p.startTicks / CLOCK_TICKS_PER_SEC;
    const cpuSec = p.cpuTicks / CLOCK_TICKS_PER_SEC;
    const column: Record<TopDescriptor, string> = {
      user: names.inside[0].get(uid) ?? String(uid), huser: names.host[0].get(p.huid) ?? String(p.huid),
      group: names.inside[1].get(gid) ?? String(gid), hgroup: names.host[1].get(p.hgid) ?? String(p.hgid),
      pid: String(p.pid), hpid: String(p.hpid), ppid: String(insidePid.get(p.hppid) ?? 0), hppid: String(p.hppid),
      etime: formatDuration(elapsedSec), time: formatDuration(cpuSec),
      pcpu: elapsedSec > 0 ? (100 * cpuSec / elapsedSec).toFixed(1) : '0.0', comm: p.comm, args: p.args,
    };
    return descriptors.map((d) => column[d]);
  });
}
