/**
 * Hybrid hosts: v1 hierarchies hold the controllers they were mounted with,
 * and the cgroup2 mount (often /sys/fs/cgroup/unified) offers only what no
 * v1 hierarchy took, often nothing. Each controller goes to v1 when a v1
 * hierarchy has it, else to cgroup2; crun refuses such hosts, isola does not.
 */
import { createDriver, type CgroupDriver } from './driver.ts';
import type { CgroupHost } from './host.ts';
import type { CgroupLayout } from './layout.ts';
import { createV1Backend } from './v1.ts';
import { createV2Backend } from './v2.ts';

export function createHybridDriver(host: CgroupHost, layout: CgroupLayout): CgroupDriver {
  return createDriver('hybrid', layout, [createV1Backend(host, layout), createV2Backend(host, layout)]);
}
