/**
 * linux.resources.devices for a container without a user namespace of its
 * own, where its root could mknod or open any device: written to a v1
 * devices cgroup (cgroup v2 needs a BPF program, not supported yet). With a
 * user namespace of its own the rules hold by construction (see
 * cgroup-request.ts) and nothing is written.
 */
import { mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { IsolaError } from '../errors/index.ts';
import type { CgroupLayout } from '../cgroups/index.ts';
import type { OciDevice, OciDeviceCgroup } from './oci-config.ts';

/**
 * What every container may use whatever its rules say, as runc allows them:
 * mknod of anything, the runtime spec's default devices, the console and
 * ptys, and tun.
 */
export const DEFAULT_DEVICE_RULES: readonly OciDeviceCgroup[] = [
  { allow: true, type: 'c', access: 'm' }, { allow: true, type: 'b', access: 'm' },
  ...[[1, 3], [1, 5], [1, 7], [1, 8], [1, 9], [5, 0], [5, 1], [5, 2], [10, 200]].map(([major, minor]) =>
    ({ allow: true, type: 'c', major, minor, access: 'rwm' })),
  { allow: true, type: 'c', major: 136, access: 'rwm' },
];

export function deviceRuleLine(rule: OciDeviceCgroup): string {
  const number = (n: number | undefined): string => (n === undefined || n === -1 ? '*' : String(n));
  return `${rule.type ?? 'a'} ${number(rule.major)}:${number(rule.minor)} ${rule.access ?? 'rwm'}`;
}

/** @returns the devices cgroup directory, or undefined when there are no rules */
export async function writeDeviceRules(layout: CgroupLayout, path: string, configRules: readonly OciDeviceCgroup[],
  devices: readonly OciDevice[]): Promise<string | undefined> {
  if (configRules.length === 0) return undefined;
  const rules = [...configRules, ...DEFAULT_DEVICE_RULES,
    // The devices cgroup knows character and block devices only (a fifo needs no rule).
    ...devices.filter((d) => d.major !== undefined && d.type !== 'p')
      .map((d) => ({ allow: true, type: d.type === 'b' ? 'b' : 'c', major: d.major, minor: d.minor, access: 'rwm' }))];
  const mount = layout.v1Mounts.get('devices');
  if (mount === undefined) {
    throw new IsolaError('ISOLA_RUNTIME_UNSUPPORTED', 'linux.resources.devices needs a v1 devices cgroup without a user namespace, and this host has none',
      { hint: 'give the container a user namespace (its devices are then limited to linux.devices), or remove the device rules' });
  }
  const dir = `${mount}/${path.split('/').filter((s) => s !== '').join('/')}`;
  // Synchronous: cgroupfs answers from memory in microseconds, where each
  // promise call would cost a thread-pool round trip on the create path.
  mkdirSync(dir, { recursive: true });
  for (const rule of rules) {
    const file = `${dir}/${rule.allow ? 'devices.allow' : 'devices.deny'}`;
    try {
      writeFileSync(file, deviceRuleLine(rule), { flag: 'r+' });
    } catch (error) {
      // Nothing left behind: the caller does not know of this directory yet.
      try {
        rmdirSync(dir);
      } catch {
        // Not empty or gone: nothing more to undo here.
      }
      throw new IsolaError('ISOLA_RUNTIME_INVALID_CONFIG', `the device rule ${JSON.stringify(deviceRuleLine(rule))} was refused by ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        { hint: 'fix linux.resources.devices: type a, b or c, major and minor numbers, access of r, w and m', cause: error });
    }
  }
  return dir;
}
