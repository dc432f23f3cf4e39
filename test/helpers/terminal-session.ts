/**
 * A command on a real terminal (util-linux `script` makes the pty) that a test
 * types into while it runs, for what only a terminal does: raw mode, detach keys.
 */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

const quote = (arg: string): string => `'${arg.replaceAll("'", `'\\''`)}'`;

export interface TerminalSession {
  /** Everything the terminal showed so far, without carriage returns. */
  output(): string;
  type(text: string): void;
  /** Types `text` every 200 ms until the output contains `expected` (typing may begin before the command reads). */
  typeUntil(text: string, expected: string, timeoutMs?: number): Promise<void>;
  /** The exit status; the session is killed after `timeoutMs`. */
  readonly exited: Promise<number>;
}

export function startOnTerminal(argv: readonly string[], timeoutMs = 60_000): TerminalSession {
  const child = spawn('script', ['-qec', argv.map(quote).join(' '), '/dev/null'], { stdio: 'pipe', detached: true });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => { text += chunk.toString('latin1').replaceAll('\r', ''); });
  child.stderr.on('data', (chunk: Buffer) => { text += chunk.toString('latin1'); });
  child.stdin.on('error', () => {});
  const timer = setTimeout(() => { try { process.kill(-(child.pid ?? 0), 'SIGKILL'); } catch { /* gone */ } }, timeoutMs);
  const exited = new Promise<number>((resolve) => {
    child.on('close', (code, signal) => { clearTimeout(timer); resolve(code ?? 128 + (signal === null ? 0 : 9)); });
  });
  const session: TerminalSession = {
    output: () => text,
    type: (input) => { child.stdin.write(input); },
    typeUntil: async (input, expected, waitMs = 20_000) => {
      for (const start = Date.now(); !text.includes(expected); await sleep(200)) {
        if (Date.now() - start > waitMs) throw new Error(`no ${JSON.stringify(expected)} on the terminal; it shows ${JSON.stringify(text)}`);
        child.stdin.write(input);
      }
    },
    exited,
  };
  return session;
}
