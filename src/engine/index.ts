/**
 * engine/: the public TypeScript API (Engine) and, later, the state store.
 * It combines userns, spec and runtime into container operations and returns
 * data: it never prints, reads the environment or exits the process.
 */
export { Engine } from './engine.ts';
export type { EngineOpenOptions, EngineSettings } from './settings.ts';
export type { RunOptions, RunningContainer } from './run.ts';
export { parseProcLimits } from './host-limits.ts';
