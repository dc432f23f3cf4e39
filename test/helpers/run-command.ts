/**
 * Runs one command for a test and collects its output. The other helpers
 * (runAsUser, runIsola) are built on it so every test sees the same result
 * shape and no test hangs forever on a stuck container.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

export interface CommandResult {
  /** Exit status, or 128 + signal number when a signal ended the command (as shells report it). */
  readonly code: number;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** True when the command was killed because it ran past `timeoutMs`. */
  readonly timedOut: boolean;
}

export interface RunCommandOptions {
  /** The complete environment; nothing is inherited unless the caller passes it. */
  readonly env?: NodeJS.ProcessEnv | undefined;
  readonly cwd?: string | undefined;
  /** Written to stdin, which is then closed. @default stdin is empty */
  readonly input?: string | Buffer | undefined;
  /** The process group is killed with SIGKILL after this long. @default 60000 */
  readonly timeoutMs?: number | undefined;
}

/** Runs argv[0] with the remaining arguments (no shell) and resolves once it exits. */
export function runCommand(argv: readonly string[], options: RunCommandOptions = {}): Promise<CommandResult> {
  const [file, ...args] = argv;
  if (file === undefined) return Promise.reject(new Error('runCommand: argv is empty'));
  return new Promise((resolve, reject) => {
    // detached: the command leads its own process group, so a timeout can kill
    // everything it started (a container's processes), not only the first pid.
    const child = spawn(file, args, {
      env: options.env ?? process.env, cwd: options.cwd, detached: true, stdio: 'pipe',
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {
        // The group is already gone: nothing left to kill.
      }
    }, options.timeoutMs ?? 60_000);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    // EPIPE when the command exits without reading its input is not a test failure.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${file}: ${err.message}`, { cause: err }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: code ?? 128 + (signal === null ? 0 : constants.signals[signal]),
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        timedOut,
      });
    });
  });
}
