/**
 * launch/: the TypeScript side of the C shim. It owns the LaunchPlan type,
 * its wire encoding, spawning the shim, the report protocol and turning the
 * shim's failures into ShimError. It decides nothing about containers: the
 * runtime hands it a complete plan.
 */
export type { DetachMode, LaunchPlan, TakeoverPlan, MonitorPlan, PlanDeviceNode, PlanHook, PlanSeccomp, PlanTimeOffsets, PlanMount, PlanIdMaps, PlanRlimit, PlanCapabilities, MapWriterPlan, NamespaceKind, PlanRootfsOverlay, PlanMakeCwd } from './launch-plan.ts';
export { encodeLaunchPlan } from './plan-encode.ts';
export { spawnShim, type LaunchedContainer, type ExitStatus, type SpawnShimOptions } from './spawn-shim.ts';
export { explainFailure, ShimError } from './shim-error.ts';
export { BEFORE_EXEC_KEY, decodeTakeoverFailure, execShim, type ExecShimOptions } from './exec-shim.ts';
export { STEP_NAMES, type ShimStep } from './steps.ts';
export { CLONE_FLAGS } from './plan-tags.ts';
export { runFsOps, encodeFsOps, FILE_TYPE_BITS, type FsOp, type FsOpsResult, type RunFsOpsOptions, type SkippedFsOp } from './fs-ops.ts';
