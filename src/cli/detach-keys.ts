/**
 * Detach keys (docker's and podman's `--detach-keys`): a sequence typed on an
 * attached terminal that leaves the container running and ends the attach.
 * The client watches its own input for it, as docker's and podman's do, so
 * the monitor needs no policy about it.
 */
import { InvalidOptionError } from '../errors/index.ts';

/** ctrl-p,ctrl-q, as docker and podman. */
export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

const EXPECTED = 'comma-separated keys: a single character or ctrl-<letter|@|[|\\|]|^|_> (e.g. ctrl-p,ctrl-q; "" disables)';

/** docker's syntax: "ctrl-p,ctrl-q", "ctrl-a,x"; "" gives no sequence (detaching is off). */
export function parseDetachKeys(text: string): Buffer {
  if (text === '') return Buffer.alloc(0);
  return Buffer.from(text.split(',').map((key) => {
    if (key.length === 1 && key.charCodeAt(0) < 0x80) return key.charCodeAt(0);
    const ctrl = /^ctrl-(.)$/i.exec(key)?.[1];
    if (ctrl === undefined) throw new InvalidOptionError('--detach-keys', EXPECTED, text);
    if (/[a-z]/i.test(ctrl)) return ctrl.toLowerCase().charCodeAt(0) - 0x60;
    const code = '@[\\]^_'.indexOf(ctrl);
    if (code === -1) throw new InvalidOptionError('--detach-keys', EXPECTED, text);
    return code === 0 ? 0 : 0x1a + code;
  }));
}

export interface ScannedInput {
  /** What goes on to the container. */
  readonly forward: Buffer;
  /** The sequence was typed: stop sending, leave the container running. */
  readonly isDetached: boolean;
}

/**
 * Watches input for a detach sequence across reads. Bytes that may start the
 * sequence are held back until it completes (they are dropped) or breaks
 * (they go on, as typed).
 */
export class DetachKeyScanner {
  readonly #keys: Buffer;
  #matched = 0;

  constructor(keys: Buffer) {
    this.#keys = keys;
  }

  scan(chunk: Buffer): ScannedInput {
    if (this.#keys.length === 0) return { forward: chunk, isDetached: false };
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === this.#keys[this.#matched]) {
        this.#matched++;
        if (this.#matched === this.#keys.length) return { forward: Buffer.from(out), isDetached: true };
        continue;
      }
      // The held prefix was ordinary input after all; this byte may start a new match.
      out.push(...this.#keys.subarray(0, this.#matched));
      this.#matched = byte === this.#keys[0] ? 1 : 0;
      if (this.#matched === 0) out.push(byte);
    }
    return { forward: Buffer.from(out), isDetached: false };
  }
}
