/**
 * The flags `create` and `run -d` add to run's: the container's name, restart
 * policy and stop signal, turned with run's options into CreateOptions.
 */
import type { CreateOptions, RunOptions } from '../../engine/index.ts';
import { flagValue, type FlagSpec, type ParsedArgs } from '../parse-args.ts';

export const CREATE_FLAGS: readonly FlagSpec[] = [
  { name: 'name', takesValue: true, valueName: 'NAME', description: 'name the container' },
  { name: 'restart', takesValue: true, valueName: 'POLICY', description: 'no, on-failure[:N] or always' },
  { name: 'stop-signal', takesValue: true, valueName: 'SIGNAL', description: 'the signal stop sends first (default SIGTERM)' },
  { name: 'detach', short: 'd', takesValue: false, description: 'run in the background under a monitor and print the id' },
];

/** A container from --rootfs, --layer or an image (the engine merges the image's config). */
export function createOptionsFromRun(args: ParsedArgs, options: RunOptions, shouldRemove: boolean): CreateOptions {
  const { consoleSize: _size, isHostTerminalRaw: _raw, ...rest } = options;
  return {
    ...rest, name: flagValue(args, 'name'), restart: flagValue(args, 'restart'),
    stopSignal: flagValue(args, 'stop-signal'), autoRemove: shouldRemove,
  };
}
