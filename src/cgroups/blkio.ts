/**
 * Block I/O limits: v1's blkio files and v2's io files. Throttles work on
 * any scheduler; weights need a proportional one (BFQ, or CFQ before Linux
 * 5.0, which alone had leaf weights), so a missing weight file is an error
 * that says so, never a limit silently not applied.
 */
import { firstExistingFile, limitUnavailable, writeCgroupFile } from './cgroup-dir.ts';
import { fsErrorCode } from './errors.ts';
import type { CgroupHost } from './host.ts';
import type { BlkioLimits, BlockDevice, BlockDeviceRate } from './limits.ts';

const WEIGHT_HINT = 'proportional I/O weights need the BFQ I/O scheduler on the disk (modprobe bfq; echo bfq > /sys/block/DISK/queue/scheduler), '
  + 'or remove the weights from linux.resources.blockIO';
const LEAF_HINT = 'leaf weights belonged to the CFQ scheduler, which Linux 5.0 removed: remove leafWeight from linux.resources.blockIO';

const device = (d: BlockDevice): string => `${d.major}:${d.minor}`;

/** A per-device weight: the kernel answers EOPNOTSUPP for a disk whose scheduler has no weights. */
async function writeDeviceWeight(host: CgroupHost, file: string, d: BlockDevice, weight: number, controller: string): Promise<void> {
  try {
    await writeCgroupFile(host, file, `${device(d)} ${weight}`, controller);
  } catch (error) {
    if (fsErrorCode((error as { cause?: unknown }).cause) !== 'ENOTSUP') throw error;
    throw limitUnavailable(controller, `device ${device(d)} takes no weight in ${file}: its I/O scheduler is not BFQ`,
      `set BFQ on it (echo bfq > /sys/dev/block/${device(d)}/queue/scheduler), or remove its weightDevice entry`);
  }
}

function hasWeights(blkio: BlkioLimits): boolean {
  return blkio.weight !== undefined || (blkio.weightDevices ?? []).some((d) => d.weight !== undefined);
}

function hasLeafWeights(blkio: BlkioLimits): boolean {
  return blkio.leafWeight !== undefined || (blkio.weightDevices ?? []).some((d) => d.leafWeight !== undefined);
}

export async function writeV1Blkio(host: CgroupHost, dir: string, blkio: BlkioLimits): Promise<void> {
  const write = (file: string, value: string): Promise<void> => writeCgroupFile(host, file, value, 'blkio');
  const weightFile = await firstExistingFile(host, dir, ['blkio.weight', 'blkio.bfq.weight']);
  if (hasWeights(blkio) && weightFile === undefined) {
    throw limitUnavailable('blkio', `neither blkio.weight nor blkio.bfq.weight exists in ${dir}`, WEIGHT_HINT);
  }
  if (hasLeafWeights(blkio) && !await host.exists(`${dir}/blkio.leaf_weight`)) {
    throw limitUnavailable('blkio', `blkio.leaf_weight does not exist in ${dir}`, LEAF_HINT);
  }
  if (blkio.weight !== undefined) await write(weightFile!, String(blkio.weight));
  if (blkio.leafWeight !== undefined) await write(`${dir}/blkio.leaf_weight`, String(blkio.leafWeight));
  for (const d of blkio.weightDevices ?? []) {
    if (d.weight !== undefined) await writeDeviceWeight(host, `${weightFile!}_device`, d, d.weight, 'blkio');
    if (d.leafWeight !== undefined) await write(`${dir}/blkio.leaf_weight_device`, `${device(d)} ${d.leafWeight}`);
  }
  const throttles: [string, readonly BlockDeviceRate[] | undefined][] = [
    ['read_bps_device', blkio.readBpsDevices], ['write_bps_device', blkio.writeBpsDevices],
    ['read_iops_device', blkio.readIopsDevices], ['write_iops_device', blkio.writeIopsDevices],
  ];
  for (const [file, list] of throttles) for (const d of list ?? []) await write(`${dir}/blkio.throttle.${file}`, `${device(d)} ${d.rate}`);
}

/** runc's and crun's mapping of a blkio weight (10..1000) onto io.weight (1..10000). */
export function ioWeightFromBlkio(weight: number): number {
  return 1 + Math.floor(((weight - 10) * 9999) / 990);
}

export async function writeV2Io(host: CgroupHost, dir: string, blkio: BlkioLimits): Promise<void> {
  const write = (file: string, value: string): Promise<void> => writeCgroupFile(host, file, value, 'io');
  if (hasLeafWeights(blkio)) throw limitUnavailable('io', `leaf weights exist only on cgroup v1, and ${dir} is a v2 cgroup`, LEAF_HINT);
  // BFQ's own file takes blkio's scale; io.weight (the io.cost controller) its own.
  const weightFile = await firstExistingFile(host, dir, ['io.bfq.weight', 'io.weight']);
  if (hasWeights(blkio) && weightFile === undefined) {
    throw limitUnavailable('io', `neither io.bfq.weight nor io.weight exists in ${dir}`, WEIGHT_HINT);
  }
  const scaled = (weight: number): number => weightFile!.endsWith('/io.bfq.weight') ? weight : ioWeightFromBlkio(weight);
  if (blkio.weight !== undefined) await write(weightFile!, String(scaled(blkio.weight)));
  for (const d of blkio.weightDevices ?? []) if (d.weight !== undefined) await writeDeviceWeight(host, weightFile!, d, scaled(d.weight), 'io');
  const throttles: [string, readonly BlockDeviceRate[] | undefined][] = [
    ['rbps', blkio.readBpsDevices], ['wbps', blkio.writeBpsDevices], ['riops', blkio.readIopsDevices], ['wiops', blkio.writeIopsDevices],
  ];
  // io.max: 0 is not a rate; "max" lifts the limit, as 0 does in v1's files.
  for (const [key, list] of throttles) for (const d of list ?? []) await write(`${dir}/io.max`, `${device(d)} ${key}=${d.rate === 0 ? 'max' : d.rate}`);
}
