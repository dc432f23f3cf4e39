/**
 * Engine: the public TypeScript API, the same one the CLI uses.
 *
 * ```ts
 * const engine = await Engine.open({ root, runroot });
 * const c = await engine.run({ rootfs, args: ['id'], userns: { kind: 'keep-id' }, ... });
 * const status = await c.exited;
 * ```
 */
import { normalizeEngineOptions, type EngineOpenOptions, type EngineSettings } from './settings.ts';
import { readHostFacts, runContainerFromOptions, type HostFacts, type RunOptions, type RunningContainer } from './run.ts';

export class Engine {
  readonly settings: EngineSettings;
  #hostFacts: Promise<HostFacts> | undefined;

  private constructor(settings: EngineSettings) {
    this.settings = settings;
  }

  /** The caller's ids, subordinate ranges, helpers and hard limits: read on first use, then kept. */
  #facts(): Promise<HostFacts> {
    this.#hostFacts ??= readHostFacts(this.settings);
    return this.#hostFacts;
  }

  static async open(options: EngineOpenOptions): Promise<Engine> {
    return new Engine(await normalizeEngineOptions(options));
  }

  /** Starts a container; resolves once its process runs. */
  async run(options: RunOptions): Promise<RunningContainer> {
    return runContainerFromOptions(this.settings, await this.#facts(), options);
  }
}
