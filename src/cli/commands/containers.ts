/**
 * Commands on recorded containers: create, start, stop, kill, restart, wait,
 * rm, rename, prune, and `container cleanup` (what a monitor runs when its
 * container exits). Each parses its flags and calls one Engine method.
 */
import { InvalidOptionError } from '../../errors/index.ts';
import { Engine, explainLaunchFailure } from '../../engine/index.ts';
import { flagValue, HelpRequest, isFlagSet, isHelpToken, parseArgs, type FlagSpec, type ParsedArgs } from '../parse-args.ts';
import { RUN_FLAGS, runOptionsFromArgs } from './run-flags.ts';
import { CREATE_FLAGS, createOptionsFromRun } from './create-flags.ts';
import { DETACH_KEYS_FLAG } from './attach.ts';
import { attachSession } from '../attach-session.ts';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from '../detach-keys.ts';
import type { CliContext } from '../context.ts';

type Action = (engine: Engine, args: ParsedArgs, context: CliContext) => Promise<number>;

async function withEngine(context: CliContext, fn: (engine: Engine) => Promise<number>): Promise<number> {
  const engine = await Engine.open(context.engineOptions);
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

function names(args: ParsedArgs, command: string, min = 1): readonly string[] {
  if (args.positionals.length < min) throw new InvalidOptionError(`isola ${command}`, 'a container name or id', 'nothing');
  return args.positionals;
}

function seconds(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new InvalidOptionError('--time', 'a whole number of seconds', text);
  return Number(text);
}

const out = (text: string): void => { process.stdout.write(text); };

const ACTIONS: Readonly<Record<string, { flags: readonly FlagSpec[]; action: Action }>> = {
  create: {
    flags: [...RUN_FLAGS, ...CREATE_FLAGS],
    action: async (engine, args, context) => {
      const line = await runOptionsFromArgs(args, context.env, context.cwd);
      out(`${(await engine.create(createOptionsFromRun(args, line.options, line.shouldRemove))).id}\n`);
      return 0;
    },
  },
  start: {
    flags: [
      { name: 'attach', short: 'a', takesValue: false, description: 'stay attached to its output until it exits (then its status)' },
      { name: 'interactive', short: 'i', takesValue: false, description: 'attach, and send this terminal\'s input to it' },
      DETACH_KEYS_FLAG,
    ],
    action: async (engine, args) => {
      const hasInput = isFlagSet(args, 'interactive');
      if (!isFlagSet(args, 'attach') && !hasInput) {
        for (const ref of names(args, 'start')) out(`${(await engine.start(ref)).name}\n`);
        return 0;
      }
      const [ref, ...rest] = names(args, 'start');
      if (rest.length > 0) throw new InvalidOptionError('isola start -a', 'one container name or id', args.positionals.join(' '));
      const detachKeys = parseDetachKeys(flagValue(args, 'detach-keys') ?? DEFAULT_DETACH_KEYS);
      // Output it writes before the attach connects is in its log (isola logs).
      await engine.start(ref!);
      return attachSession(engine, ref!, { hasInput, detachKeys });
    },
  },
  stop: {
    flags: [{ name: 'time', short: 't', takesValue: true, valueName: 'SECONDS', description: 'seconds to wait for an exit before SIGKILL (default 10)' }],
    action: async (engine, args) => {
      const timeoutSec = seconds(flagValue(args, 'time'), 10);
      for (const ref of names(args, 'stop')) {
        await engine.stop(ref, { timeoutSec });
        out(`${ref}\n`);
      }
      return 0;
    },
  },
  kill: {
    flags: [{ name: 'signal', short: 's', takesValue: true, valueName: 'SIGNAL', description: 'the signal to send (default SIGKILL)' }],
    action: async (engine, args) => {
      for (const ref of names(args, 'kill')) {
        await engine.kill(ref, flagValue(args, 'signal') ?? 'SIGKILL');
        out(`${ref}\n`);
      }
      return 0;
    },
  },
  restart: {
    flags: [{ name: 'time', short: 't', takesValue: true, valueName: 'SECONDS', description: 'seconds to wait for an exit before SIGKILL (default 10)' }],
    action: async (engine, args) => {
      const timeoutSec = seconds(flagValue(args, 'time'), 10);
      for (const ref of names(args, 'restart')) out(`${(await engine.restart(ref, { timeoutSec })).name}\n`);
      return 0;
    },
  },
  wait: {
    flags: [],
    action: async (engine, args) => {
      // -1: the status is unknown (the container's monitor died).
      for (const ref of names(args, 'wait')) out(`${(await engine.wait(ref)) ?? -1}\n`);
      return 0;
    },
  },
  rm: {
    flags: [
      { name: 'force', short: 'f', takesValue: false, description: 'stop a running container first' },
      { name: 'volumes', short: 'v', takesValue: false, description: 'also remove the container\'s anonymous volumes' },
    ],
    action: async (engine, args) => {
      for (const ref of names(args, 'rm')) {
        await engine.remove(ref, { force: isFlagSet(args, 'force'), volumes: isFlagSet(args, 'volumes') });
        out(`${ref}\n`);
      }
      return 0;
    },
  },
  pause: {
    flags: [],
    action: async (engine, args) => {
      for (const ref of names(args, 'pause')) {
        await engine.pause(ref);
        out(`${ref}\n`);
      }
      return 0;
    },
  },
  unpause: {
    flags: [],
    action: async (engine, args) => {
      for (const ref of names(args, 'unpause')) {
        await engine.unpause(ref);
        out(`${ref}\n`);
      }
      return 0;
    },
  },
  rename: {
    flags: [],
    action: async (engine, args) => {
      const [ref, newName, ...rest] = names(args, 'rename', 2);
      if (rest.length > 0 || newName === undefined) throw new InvalidOptionError('isola rename', 'CONTAINER NEW_NAME', args.positionals.join(' '));
      await engine.rename(ref!, newName);
      return 0;
    },
  },
  prune: {
    flags: [{ name: 'force', short: 'f', takesValue: false, description: 'do not ask (isola never asks)' }],
    action: async (engine) => {
      for (const id of await engine.prune()) out(`${id}\n`);
      return 0;
    },
  },
};

/** The container commands `isola container` dispatches to. */
export const CONTAINER_SUBCOMMANDS: readonly string[] = Object.keys(ACTIONS);

export function containerCommand(name: string): (argv: readonly string[], context: CliContext) => Promise<number> {
  const entry = ACTIONS[name];
  if (entry === undefined) throw new Error(`unknown container command ${name}`);
  return async (argv, context) => {
    const args = parseArgs(argv, entry.flags);
    return withEngine(context, (engine) => entry.action(engine, args, context));
  };
}

/**
 * `isola container cleanup ID`: run by a container's monitor as it exits; prints nothing.
 * `isola container launch-failed CONTEXT REPORT`: run by the shim a foreground
 * run handed over to (run.ts) when the start failed; it says why, as run would have.
 */
export async function containerGroupCommand(argv: readonly string[], context: CliContext): Promise<number> {
  const [subcommand, id, ...rest] = argv;
  if (isHelpToken(subcommand)) throw new HelpRequest([]);
  if (subcommand === 'cleanup' && id !== undefined && rest.length === 0) {
    return withEngine(context, async (engine) => { await engine.cleanUpContainer(id); return 0; });
  }
  if (subcommand === 'launch-failed' && id !== undefined && rest.length === 1) throw await explainLaunchFailure(id, rest[0]!);
  if (subcommand !== undefined && subcommand in ACTIONS) {
    return containerCommand(subcommand)(argv.slice(1), context).catch((error: unknown) => {
      throw error instanceof HelpRequest ? new HelpRequest(error.flags, subcommand) : error;
    });
  }
  throw new InvalidOptionError('isola container', 'a subcommand: cleanup ID, or a container command', subcommand ?? '');
}
