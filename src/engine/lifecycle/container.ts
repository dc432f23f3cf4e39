/**
 * A handle on one container that outlives the call that made it. Every method
 * reads the state database afresh: the container may change (exit, be removed)
 * behind the handle, from another process.
 */
import type { ContainerInfo } from './container-info.ts';
import type { LogLine } from './log-format.ts';
import type { LogsOptions } from './logs.ts';
import type { TopDescriptor } from './top.ts';
import type { RemoveOptions } from './operations.ts';

export interface StopOptions {
  /** Seconds between the stop signal and SIGKILL. @default 10 */
  readonly timeoutSec?: number | undefined;
  /** @default the container's stop signal (SIGTERM unless set at create) */
  readonly signal?: string | undefined;
}

/** What a handle needs from the engine, by container id. */
export interface ContainerOperations {
  inspect(ref: string): Promise<ContainerInfo>;
  logs(ref: string, options?: LogsOptions): AsyncGenerator<LogLine>;
  wait(ref: string, options?: { readonly signal?: AbortSignal | undefined }): Promise<number | undefined>;
  stop(ref: string, options?: StopOptions): Promise<ContainerInfo>;
  kill(ref: string, signal?: string): Promise<void>;
  start(ref: string): Promise<Container>;
  remove(ref: string, options?: RemoveOptions): Promise<void>;
  top(ref: string, descriptors?: readonly TopDescriptor[]): Promise<string[][]>;
}

export class Container {
  readonly id: string;
  readonly name: string;
  readonly #engine: ContainerOperations;

  constructor(engine: ContainerOperations, id: string, name: string) {
    this.#engine = engine;
    this.id = id;
    this.name = name;
  }

  /** Its state, ids, pids and options now. @throws ContainerError ISOLA_CONTAINER_NOT_FOUND once removed */
  inspect(): Promise<ContainerInfo> {
    return this.#engine.inspect(this.id);
  }

  /** Its stdout and stderr lines; with `follow`, until it stops. */
  logs(options?: LogsOptions): AsyncGenerator<LogLine> {
    return this.#engine.logs(this.id, options);
  }

  /** Resolves with its exit status once it has stopped (undefined: unknown, its monitor died). */
  wait(options?: { readonly signal?: AbortSignal | undefined }): Promise<number | undefined> {
    return this.#engine.wait(this.id, options);
  }

  stop(options?: StopOptions): Promise<ContainerInfo> {
    return this.#engine.stop(this.id, options);
  }

  /** @param signal a name or number. @default 'SIGKILL' */
  kill(signal?: string): Promise<void> {
    return this.#engine.kill(this.id, signal);
  }

  start(): Promise<Container> {
    return this.#engine.start(this.id);
  }

  /** Removes it and releases its host ids; `force` stops it first. */
  remove(options?: RemoveOptions): Promise<void> {
    return this.#engine.remove(this.id, options);
  }

  /** Rows of its processes, `user`/`huser`, `pid`/`hpid` and more (see TOP_DESCRIPTORS). */
  top(descriptors?: readonly TopDescriptor[]): Promise<string[][]> {
    return this.#engine.top(this.id, descriptors);
  }
}
