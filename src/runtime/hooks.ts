/**
 * OCI hooks run by the runtime: each gets the container's state as JSON on
 * stdin, its own args (args[0] is argv[0]) and env, and is killed after its
 * timeout. A failing prestart/createRuntime hook fails the operation; the
 * caller decides what a failing poststart/poststop hook means.
 */
import { IsolaError } from '../errors/index.ts';
import type { OciHook } from './oci-config.ts';

export type HookKind = 'prestart' | 'createRuntime' | 'createContainer' | 'startContainer' | 'poststart' | 'poststop';

async function runHook(hook: OciHook, kind: HookKind, stateJson: string): Promise<void> {
  // Loaded when a hook runs: most containers have none, and node:child_process costs milliseconds to load.
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn(hook.path, (hook.args ?? []).slice(1), {
      argv0: hook.args?.[0] ?? hook.path, env: Object.fromEntries((hook.env ?? []).map((e) => {
        const at = e.indexOf('=');
        return at === -1 ? [e, ''] : [e.slice(0, at), e.slice(at + 1)];
      })), stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    let isTimedOut = false;
    const timer = hook.timeout === undefined ? undefined
      : setTimeout(() => { isTimedOut = true; child.kill('SIGKILL'); }, hook.timeout * 1000);
    child.stderr?.on('data', (chunk: Buffer) => { if (stderr.length < 4096) stderr += chunk.toString(); });
    child.stdin?.on('error', () => {}); // a hook need not read its stdin
    child.stdin?.end(stateJson);
    const failed = (what: string, cause?: unknown): IsolaError => new IsolaError('ISOLA_RUNTIME_HOOK_FAILED',
      `${kind} hook ${hook.path} ${what}${stderr.trim() === '' ? '' : `: ${stderr.trim()}`}`, { hint: `check the hook in the config's hooks.${kind}`, cause });
    child.on('error', (error) => { clearTimeout(timer); reject(failed('could not run', error)); });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else if (isTimedOut) reject(failed(`timed out after ${hook.timeout} s`));
      else reject(failed(signal === null ? `exited with status ${code}` : `was killed by ${signal}`));
    });
  });
}

/** Runs the hooks in order, stopping at the first failure. @throws IsolaError ISOLA_RUNTIME_HOOK_FAILED */
export async function runHooks(hooks: readonly OciHook[] | undefined, kind: HookKind, state: object): Promise<void> {
  const stateJson = JSON.stringify(state);
  for (const hook of hooks ?? []) await runHook(hook, kind, stateJson);
}

/**
 * Runs every hook, each failure only told to `onFailure` (poststart and
 * poststop: the spec has the runtime log a warning and go on with the
 * remaining hooks and the lifecycle).
 */
export async function runHooksPastFailures(hooks: readonly OciHook[] | undefined, kind: HookKind, state: object,
  onFailure: (error: unknown) => void): Promise<void> {
  const stateJson = JSON.stringify(state);
  for (const hook of hooks ?? []) await runHook(hook, kind, stateJson).catch(onFailure);
}
