/**
 * runtime/: the low-level OCI runtime. It takes an OCI runtime config and
 * runs it: decides how each part happens on this host (ID map writer, mount
 * targets, devices), builds the LaunchPlan and starts the shim. It knows
 * nothing of images, flags or the engine's state. It uses userns/ for the
 * kernel's ID-map rules, which the engine shares. It also answers what it
 * supports (`features`, `--version`), writes a default config (`spec`), and
 * checks a config.json strictly before running it.
 */
export type * from './oci-config.ts';
export { isInitialUserNamespace, readHostContext, type HostContext } from './host-context.ts';
export { buildLaunchPlan, type PlanContext } from './launch-plan-from-config.ts';
export { explainTakeoverFailure, runContainer, type RunContainerOptions, type RunTakeover, type StartedContainer } from './run-container.ts';
export { locateShim } from './shim-path.ts';
export { locatePackageFile, type PackageFileOptions } from './package-file.ts';
export { parseMountOptions } from './mount-options.ts';
export { OCI_VERSION_MAX, OCI_VERSION_MIN, SUPPORTED_HOOKS, runtimeFeatures, runtimeVersionText, type OciFeatures } from './features.ts';
export { defaultSpec, type DefaultSpecOptions } from './default-spec.ts';
export { ConfigError, type ConfigErrorCode } from './config-error.ts';
export { parseRuntimeConfig, validateRuntimeConfig, type ValidatedConfig } from './validate-config.ts';
export { buildExecPlan, type ExecPlanInput } from './exec-plan.ts';
export { checkContainerId, InvalidStateError, isPidGone, type ContainerRecord, type ContainerStatus } from './container-state.ts';
export { runHooks, type HookKind } from './hooks.ts';
export { cgroupfsPath, createContainer, startContainer, type CgroupManager, type CreateOptions, type OciRuntime } from './oci-create.ts';
export { containerPids, containerProcessIds, deleteContainer, killContainer, parseSignal } from './oci-delete.ts';
export {
  containerConfig, containerState, execInContainer, listContainers, pauseContainer, resumeContainer, runBundle, updateContainer,
  type ContainerListEntry, type ContainerStateDocument, type ExecOptions, type RunningBundle,
} from './oci-operations.ts';
export { callerUsernsMaps, runInCallerUserns, type RunInUsernsOptions } from './run-in-userns.ts';
