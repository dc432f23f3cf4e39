/**
 * The flags `create` and `run -d` add to run's: the container's name, restart
 * policy and stop signal, turned with run's options into CreateOptions.
 */
import { InvalidOptionError } from '../../errors/index.ts';
import type { CreateOptions, RunOptions } from '../../engine/index.ts';
import { flagValue, type FlagSpec, type ParsedArgs } from '../parse-args.ts';

export const CREATE_FLAGS: readonly FlagSpec[] = [
  { name: 'name', takesValue: true }, { name: 'restart', takesValue: true }, { name: 'stop-signal', takesValue: true },
  { name: 'detach', short: 'd', takesValue: false },
];

export function createOptionsFromRun(args: ParsedArgs, options: RunOptions, shouldRemove: boolean): CreateOptions {
  const { rootfs, isInteractive: _interactive, consoleSize: _size, isHostTerminalRaw: _raw, ...rest } = options;
  if (rootfs === undefined) throw new InvalidOptionError('--rootfs', 'a root filesystem directory for a detached container', 'an image');
  return {
    ...rest, rootfs, name: flagValue(args, 'name'), restart: flagValue(args, 'restart'),
    stopSignal: flagValue(args, 'stop-signal'), autoRemove: shouldRemove,
  };
}
