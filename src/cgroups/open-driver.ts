/**
 * The driver for this host's layout. Detection reads /proc once; callers
 * keep the driver for the life of the process.
 */
import { createDriver, type CgroupDriver } from './driver.ts';
import { createFsCgroupHost, type CgroupHost } from './host.ts';
import { createHybridDriver } from './hybrid.ts';
import { detectCgroupLayout, type CgroupLayout } from './layout.ts';
import { createV1Driver } from './v1.ts';
import { createV2Driver } from './v2.ts';

export function createCgroupDriver(host: CgroupHost, layout: CgroupLayout): CgroupDriver {
  if (layout.kind === 'v2') return createV2Driver(host, layout);
  if (layout.kind === 'v1') return createV1Driver(host, layout);
  if (layout.kind === 'hybrid') return createHybridDriver(host, layout);
  return createDriver('none', layout, []);
}

/** Detects the layout through `host` (the real filesystem by default) and picks its driver. */
export async function openCgroupDriver(host: CgroupHost = createFsCgroupHost()): Promise<CgroupDriver> {
  return createCgroupDriver(host, await detectCgroupLayout(host));
}
