/** Test fixtures for spec/: a minimal valid ContainerOptions and generateConfig input. */
import type { IdMaps } from '../userns/index.ts';
import type { ContainerOptions } from './container-options.ts';
import type { GenerateInput } from './generate.ts';
import type { RuntimeFiles } from './mounts.ts';

export const RUNTIME_FILES: RuntimeFiles = {
  hostname: '/run/isola/c1/hostname',
  hosts: '/run/isola/c1/hosts',
  resolvConf: '/run/isola/c1/resolv.conf',
};

/** One 65536-id block at host 100000, as `--userns=auto` would give. */
export const AUTO_MAPS: IdMaps = {
  uidMap: [{ containerId: 0, hostId: 100000, size: 65536 }],
  gidMap: [{ containerId: 0, hostId: 100000, size: 65536 }],
};

export function makeOptions(overrides: Partial<ContainerOptions> = {}): ContainerOptions {
  return {
    rootfs: '/var/lib/isola/containers/c1/rootfs',
    args: ['/bin/sh', '-c', 'true'],
    env: [],
    volumes: [],
    tmpfs: [],
    isReadonlyRootfs: false,
    capAdd: [],
    capDrop: [],
    ulimits: [],
    isPrivileged: false,
    hasTerminal: false,
    isInteractive: false,
    network: 'private',
    userns: { kind: 'auto' },
    ...overrides,
  };
}

export function makeInput(overrides: Partial<GenerateInput> = {}, options: Partial<ContainerOptions> = {}): GenerateInput {
  return {
    options: makeOptions(options),
    user: { uid: 0, gid: 0, additionalGids: [], home: '/root' },
    idMaps: AUTO_MAPS,
    runtimeFiles: RUNTIME_FILES,
    ...overrides,
  };
}
