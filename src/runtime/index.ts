/**
 * runtime/: the low-level OCI runtime. It takes an OCI runtime config and
 * runs it: decides how each part happens on this host (ID map writer, mount
 * targets, devices), builds the LaunchPlan and starts the shim. It knows
 * nothing of images, flags or the engine's state. It uses userns/ for the
 * kernel's ID-map rules, which the engine shares.
 */
export type * from './oci-config.ts';
export { isInitialUserNamespace, readHostContext, type HostContext } from './host-context.ts';
export { buildLaunchPlan, type PlanContext } from './launch-plan-from-config.ts';
export { runContainer, type RunContainerOptions } from './run-container.ts';
export { locateShim } from './shim-path.ts';
export { parseMountOptions } from './mount-options.ts';
export { buildExecPlan, type ExecPlanInput } from './exec-plan.ts';
export { checkContainerId, InvalidStateError, type ContainerRecord, type ContainerStatus } from './container-state.ts';
export { runHooks, type HookKind } from './hooks.ts';
export { cgroupfsPath, createContainer, startContainer, type CgroupManager, type CreateOptions, type OciRuntime } from './oci-create.ts';
export { containerPids, containerProcessIds, deleteContainer, killContainer, parseSignal } from './oci-delete.ts';
export {
  containerConfig, containerState, execInContainer, listContainers, pauseContainer, resumeContainer, runBundle, updateContainer,
  type ContainerListEntry, type ContainerStateDocument, type ExecOptions, type RunningBundle,
} from './oci-operations.ts';
