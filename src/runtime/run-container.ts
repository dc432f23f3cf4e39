/**
 * Runs one container from its OCI config: plan, launch, and a failure
 * diagnosis that names the part of the config behind a failed step.
 */
import { spawnShim, type LaunchedContainer, type LaunchPlan, type ShimError } from '../launch/index.ts';
import type { OciConfig } from './oci-config.ts';
import { buildLaunchPlan, type PlanContext } from './launch-plan-from-config.ts';

export interface RunContainerOptions extends PlanContext {
  readonly shimPath: string;
  /** Whether the container reads the caller's stdin. */
  readonly isInteractive: boolean;
}

/** A hint from what the plan says about the failing step, when it says more than errno. */
async function diagnose(error: ShimError, plan: LaunchPlan): Promise<string | undefined> {
  const isMapWrite = error.step === 'write-uid-map' || error.step === 'write-gid-map';
  if (isMapWrite && error.errnoName === 'EPERM') return 'only ids the caller may map can be written: check the map against /etc/subuid and /etc/subgid';
  if (error.step === 'mount' && error.path === '/sys' && plan.namespaces.includes('user') && !plan.namespaces.includes('net')) {
    return 'sysfs can be mounted in a user namespace only with its own network namespace';
  }
  if (error.step === 'bind-mount' && error.errnoName === 'EACCES') return `the container's ids cannot reach ${error.path}: check its permissions`;
  if (error.step === 'precreate-target' && error.errnoName === 'EACCES') {
    return `the mount target ${error.path} is missing in the rootfs and cannot be created there: create it in the rootfs`;
  }
  if (error.step === 'create-mount-target' && error.errnoName === 'EROFS') return 'a mount target is missing in a read-only rootfs: create it in the image';
  return undefined;
}

export async function runContainer(config: OciConfig, options: RunContainerOptions): Promise<LaunchedContainer> {
  const plan = await buildLaunchPlan(config, options);
  return spawnShim({
    shimPath: options.shimPath, plan, isInteractive: options.isInteractive,
    diagnose: (error) => diagnose(error, plan),
  });
}
