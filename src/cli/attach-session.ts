/**
 * This terminal on a running container through its monitor's socket, for
 * `attach` and `start -a`: output until the container exits, input (with
 * `hasInput`) to its terminal or stdin, and the detach keys, which end the
 * session and leave the container running.
 */
import type { Engine } from '../engine/index.ts';
import { DetachKeyScanner } from './detach-keys.ts';

export interface AttachSessionOptions {
  /** Send what is typed here to the container. */
  readonly hasInput: boolean;
  /** The sequence that detaches (parseDetachKeys); empty: none. Only read from a terminal, as docker does. */
  readonly detachKeys: Buffer;
}

/** @returns the container's exit status, or 0 when the detach keys ended the session */
export async function attachSession(engine: Engine, ref: string, options: AttachSessionOptions): Promise<number> {
  const stdin = process.stdin;
  const isTerminal = options.hasInput && stdin.isTTY;
  const socket = await engine.attach(ref);
  let isDetached = false;
  try {
    const closed = new Promise<void>((resolve) => { socket.once('close', () => resolve()); });
    socket.on('error', () => {}); // the close that follows ends the attach
    socket.pipe(process.stdout, { end: false });
    if (options.hasInput) {
      if (isTerminal) stdin.setRawMode(true);
      const scanner = new DetachKeyScanner(isTerminal ? options.detachKeys : Buffer.alloc(0));
      stdin.on('data', (chunk: Buffer) => {
        const { forward, isDetached: isDone } = scanner.scan(chunk);
        // Piped input can outrun the socket: stop reading until it drains.
        if (forward.length > 0 && !socket.write(forward)) {
          stdin.pause();
          socket.once('drain', () => stdin.resume());
        }
        if (!isDone) return;
        isDetached = true;
        socket.destroy();
      });
      // The end of our input is not the end of the attach: output flows until the container exits.
      stdin.once('end', () => socket.end());
    }
    await closed;
    if (options.hasInput) stdin.destroy();
  } finally {
    if (isTerminal) stdin.setRawMode(false);
  }
  if (isDetached) return 0;
  return await engine.wait(ref).catch(() => undefined) ?? 0;
}
