/**
 * Per-layer progress of a pull or push on a terminal: one line per blob with
 * bytes done, size and rate, redrawn in place at most every 100 ms. Quiet when
 * stderr is not a terminal (scripts, CI logs).
 */
import type { PullEvent, PushEvent } from '../engine/index.ts';

interface Line {
  readonly digest: string;
  bytes: number;
  size: number;
  status: string;
  readonly startedMs: number;
}

const REDRAW_MS = 100;

export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value < 10 && unit > 0 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

export class ProgressDisplay {
  #out: NodeJS.WriteStream | (() => NodeJS.WriteStream | undefined) | undefined;
  readonly #lines = new Map<string, Line>();
  #drawn = 0;
  #lastDrawMs = 0;

  /** `out`, or a function giving it (undefined: show nothing) when the first event comes. */
  constructor(out: NodeJS.WriteStream | (() => NodeJS.WriteStream | undefined)) {
    this.#out = out;
  }

  /**
   * A display on stderr that shows nothing unless stderr is a terminal. That
   * is asked at the first event, not here: creating process.stderr loads
   * node:net or node:tty (milliseconds), and a run of a rootfs has no events.
   */
  static forStderr(): ProgressDisplay {
    return new ProgressDisplay(() => (process.stderr.isTTY ? process.stderr : undefined));
  }

  /** The stream to draw on, or undefined when nothing is shown. */
  #stream(): NodeJS.WriteStream | undefined {
    if (typeof this.#out === 'function') this.#out = this.#out();
    return this.#out;
  }

  onPull = (event: PullEvent): void => {
    if (this.#stream() === undefined) return;
    if (event.kind === 'resolved') {
      for (const layer of event.layers) this.#line(layer.digest, layer.size, 'waiting');
    } else if (event.kind === 'layer-progress') this.#update(event.digest, event.bytes, 'downloading');
    else if (event.kind === 'layer-exists') this.#update(event.digest, event.size, 'already stored');
    else if (event.kind === 'layer-downloaded') this.#update(event.digest, event.size, 'downloaded');
    else if (event.kind === 'layer-unpacked') this.#update(event.digest, undefined, 'unpacked');
    this.#draw(event.kind !== 'layer-progress');
  };

  onPush = (event: PushEvent): void => {
    if (this.#stream() === undefined) return;
    if (event.kind === 'blob-exists') this.#line(event.digest, event.size, 'already in the registry');
    else if (event.kind === 'blob-mounted') this.#line(event.digest, event.size, `mounted from ${event.from}`);
    else if (event.kind === 'blob-progress') {
      this.#line(event.digest, event.size, 'uploading');
      this.#update(event.digest, event.bytes, 'uploading');
    } else if (event.kind === 'blob-pushed') this.#update(event.digest, event.size, 'pushed');
    this.#draw(event.kind !== 'blob-progress');
  };

  #line(digest: string, size: number, status: string): void {
    if (!this.#lines.has(digest)) this.#lines.set(digest, { digest, bytes: 0, size, status, startedMs: Date.now() });
  }

  #update(digest: string, bytes: number | undefined, status: string): void {
    const line = this.#lines.get(digest);
    if (line === undefined) return;
    if (bytes !== undefined) line.bytes = bytes;
    line.status = status;
  }

  #draw(isForced: boolean): void {
    const now = Date.now();
    if (!isForced && now - this.#lastDrawMs < REDRAW_MS) return;
    this.#lastDrawMs = now;
    const text = [...this.#lines.values()].map((line) => {
      const seconds = Math.max((now - line.startedMs) / 1000, 0.001);
      const rate = line.status === 'downloading' || line.status === 'uploading' ? `  ${formatBytes(line.bytes / seconds)}/s` : '';
      return `${line.digest.slice(7, 19)}  ${line.status.padEnd(24)} ${formatBytes(line.bytes)} / ${formatBytes(line.size)}${rate}\x1b[K`;
    });
    const up = this.#drawn > 0 ? `\x1b[${this.#drawn}A\r` : '';
    this.#stream()?.write(`${up}${text.join('\n')}${text.length > 0 ? '\n' : ''}`);
    this.#drawn = text.length;
  }
}
