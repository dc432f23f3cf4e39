/**
 * New limits for an existing container cgroup (the OCI runtime's `update`),
 * given the directories it was made with. Each controller is written where
 * the container already has a cgroup of the hierarchy holding it; one it has
 * none for cannot be added afterwards.
 */
import { CgroupError } from './errors.ts';
import type { CgroupHost } from './host.ts';
import type { CgroupLayout } from './layout.ts';
import { checkLimits, requestedControllers, v2ControllerName, type CgroupLimits } from './limits.ts';
import { writeV1Limits } from './v1.ts';
import { writeV2Limits } from './v2.ts';

/**
 * @throws CgroupError ISOLA_CGROUP_INVALID_LIMIT, ISOLA_CGROUP_CONTROLLER_MISSING, ISOLA_CGROUP_WRITE_FAILED
 */
export async function updateCgroupLimits(host: CgroupHost, layout: CgroupLayout, dirs: readonly string[], limits: CgroupLimits): Promise<void> {
  checkLimits(limits);
  for (const name of requestedControllers(limits)) {
    const v1Mount = layout.v1Mounts.get(name);
    const v1Dir = v1Mount === undefined ? undefined : dirs.find((dir) => dir.startsWith(`${v1Mount}/`));
    if (v1Mount !== undefined && v1Dir !== undefined) {
      await writeV1Limits(host, v1Mount, v1Dir, name, limits);
      continue;
    }
    const unified = layout.unifiedMount;
    const v2Dir = unified === undefined ? undefined : dirs.find((dir) => dir.startsWith(`${unified}/`));
    const controllers = v2Dir === undefined ? '' : await host.readFile(`${v2Dir}/cgroup.controllers`).catch(() => '');
    if (v2Dir === undefined || !controllers.split(/\s+/).includes(v2ControllerName(name) ?? '')) {
      throw new CgroupError('ISOLA_CGROUP_CONTROLLER_MISSING', `the container's cgroup has no ${name} controller to update`,
        { controller: name, hint: `give the container a ${name} limit when it is created` });
    }
    await writeV2Limits(host, v2Dir, name, limits);
  }
}
