/**
 * The flags `create` and `run -d` add to run's: the container's name, restart
 * policy and stop signal, turned with run's options into CreateOptions.
 */
import type { CreateOptions, RunOptions } from '../../engine/index.ts';
import { flagValue, type FlagSpec, type ParsedArgs } from '../parse-args.ts';

export const CREATE_FLAGS: readonly FlagSpec[] = [
  { name: 'name', takesValue: true }, { name: 'restart', takesValue: true }, { name: 'stop-signal', takesValue: true },
  { name: 'detach', short: 'd', takesValue: false },
];

/** A container from --rootfs, --layer or an image (the engine merges the image's config). */
export function createOptionsFromRun(args: ParsedArgs, options: RunOptions, shouldRemove: boolean): CreateOptions {
  const { isInteractive: _interactive, consoleSize: _size, isHostTerminalRaw: _raw, ...rest } = options;
  return {
    ...rest, name: flagValue(args, 'name'), restart: flagValue(args, 'restart'),
    stopSignal: flagValue(args, 'stop-signal'), autoRemove: shouldRemove,
  };
}
