/**
 * One registry for a whole test file: `registryForFile` adds node:test hooks
 * that make a scratch directory and start the registry (test/helpers/registry.ts)
 * before the file's tests, run the file's own set-up (build and push its
 * images), and stop and remove both after them. Without docker-registry
 * nothing starts, and `requireRegistry` skips each test saying why.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { isRegistryAvailable, startRegistry, type RegistryOptions, type TestRegistry } from './registry.ts';
import { requireCommand, requireThat, type SkippableContext } from './requirements.ts';

export interface FileRegistry {
  /** The running registry; throws before the file's `before` hook ran or without docker-registry. */
  readonly registry: TestRegistry;
  /** The scratch directory, removed after the file's tests. */
  readonly work: string;
}

export interface FileRegistryOptions {
  /** The scratch directory's name prefix (`isola-NAME-`). */
  readonly name: string;
  /** The registry's options, or a function making them in the scratch directory (certificates it trusts). */
  readonly registry?: RegistryOptions | ((work: string) => Promise<RegistryOptions>) | undefined;
  /** Runs once the registry serves: build and push the file's images. */
  readonly setup?: ((fixture: FileRegistry) => Promise<void>) | undefined;
}

export function registryForFile(options: FileRegistryOptions): FileRegistry {
  let registry: TestRegistry | undefined;
  let work = '';
  const fixture: FileRegistry = {
    get registry(): TestRegistry {
      if (registry === undefined) throw new Error('the test registry is not running (see requireRegistry)');
      return registry;
    },
    get work(): string {
      return work;
    },
  };
  before(async () => {
    if (!isRegistryAvailable()) return;
    work = await mkdtemp(join(tmpdir(), `isola-${options.name}-`));
    const registryOptions = typeof options.registry === 'function' ? await options.registry(work) : options.registry;
    registry = await startRegistry(registryOptions);
    await options.setup?.(fixture);
  });
  after(async () => {
    await registry?.stop();
    if (work !== '') await rm(work, { recursive: true, force: true });
  });
  return fixture;
}

/** Skips the test unless docker-registry and `commands` (skopeo, openssl, htpasswd...) are installed. */
export function requireRegistry(t: SkippableContext, ...commands: readonly string[]): boolean {
  return requireThat(t, isRegistryAvailable(), 'needs docker-registry (Debian package docker-registry)')
    && commands.every((command) => requireCommand(t, command));
}
