/**
 * A container's cgroup directories: those recorded, and any under its path
 * (isola/ID) that an isola killed between making and recording them left.
 */
import { findCgroupDirs, openCgroupDriver, removeRecordedCgroup, type CgroupDriver } from '../../cgroups/index.ts';
import type { ContainerRecord } from '../state/index.ts';

let driver: Promise<CgroupDriver> | undefined;

export async function allCgroupDirs(record: Pick<ContainerRecord, 'id' | 'cgroupDirs'>): Promise<string[]> {
  driver ??= openCgroupDriver();
  const found = await findCgroupDirs((await driver).layout, `isola/${record.id}`).catch(() => []);
  return [...new Set([...record.cgroupDirs, ...found])];
}

/** Kills what is left in them and removes them. @throws CgroupError ISOLA_CGROUP_REMOVE_FAILED */
export async function removeContainerCgroup(record: Pick<ContainerRecord, 'id' | 'cgroupDirs'>): Promise<void> {
  await removeRecordedCgroup(await allCgroupDirs(record));
}
