/**
 * The k8s-file log format the monitor writes (native/detach.c):
 * "TIMESTAMP STREAM F|P TEXT", one entry a line; P entries are parts of a
 * line that continues in the next entry of the same stream.
 */
export interface LogLine {
  readonly stream: 'stdout' | 'stderr';
  /** RFC 3339 with nanoseconds, UTC, of the line's last part. */
  readonly timestamp: string;
  readonly text: string;
}

const ENTRY = /^(\S+) (stdout|stderr) ([FP]) (.*)$/s;

/** Joins entries into lines; a trailing partial line stays in `pending` for the next call. */
export class LogParser {
  readonly #pending = new Map<string, { text: string; timestamp: string }>();
  #rest = '';

  /** Feeds raw file text; returns the lines it completes. */
  push(chunk: string): LogLine[] {
    const text = this.#rest + chunk;
    const entries = text.split('\n');
    this.#rest = entries.pop() ?? '';
    const lines: LogLine[] = [];
    for (const entry of entries) {
      const match = ENTRY.exec(entry);
      if (match === null) continue; // not an entry (a torn write): nothing to show
      const [, timestamp, stream, tag, part] = match as unknown as [string, string, 'stdout' | 'stderr', string, string];
      const joined = (this.#pending.get(stream)?.text ?? '') + part;
      if (tag === 'P') {
        this.#pending.set(stream, { text: joined, timestamp });
        continue;
      }
      this.#pending.delete(stream);
      lines.push({ stream, timestamp, text: joined });
    }
    return lines;
  }

  /** Lines left incomplete when the log ends (the process wrote no final newline). */
  flush(): LogLine[] {
    const lines = [...this.#pending].map(([stream, part]) => ({ stream: stream as 'stdout' | 'stderr', ...part }));
    this.#pending.clear();
    return lines;
  }
}

/** Milliseconds since the epoch of an entry's timestamp (nanoseconds dropped). */
export function timestampMs(timestamp: string): number {
  return Date.parse(timestamp.replace(/\.(\d{3})\d*Z$/, '.$1Z'));
}
