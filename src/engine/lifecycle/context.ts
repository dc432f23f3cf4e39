/**
 * What every lifecycle operation works with: the engine's settings, the
 * state database, the host facts and the id allocator, all opened lazily by
 * the Engine and shared by its operations.
 */
import type { HostFacts, IdSource } from '../run.ts';
import type { EngineSettings } from '../settings.ts';
import type { StateDb, ProcessIdentity } from '../state/index.ts';

export interface LifecycleContext {
  readonly settings: EngineSettings;
  db(): Promise<StateDb>;
  facts(): Promise<HostFacts>;
  readonly ids: IdSource;
  /** This process, to mark the rows it is creating or starting. */
  self(): Promise<ProcessIdentity>;
}
