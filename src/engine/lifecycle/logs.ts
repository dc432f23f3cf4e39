/**
 * `logs`: the container's log (and the rotated file before it), as lines, with
 * --tail, --since and --follow. Following reads what the monitor appends until
 * the container has stopped, and moves on to the new file when the monitor
 * rotates the log (the old file is read to its end first).
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { containerFiles } from './files.ts';
import { LogParser, timestampMs, type LogLine } from './log-format.ts';
import type { ContainerRecord } from '../state/index.ts';

export interface LogsOptions {
  /** Keep reading until the container stops. @default false */
  readonly follow?: boolean | undefined;
  /** Only the last N lines already written. @default all */
  readonly tail?: number | undefined;
  /** Only lines written at or after this time, in ms since the epoch. */
  readonly sinceMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

const FOLLOW_POLL_MS = 100;

async function readFrom(handle: FileHandle, offset: number): Promise<{ text: string; offset: number }> {
  const chunks: Buffer[] = [];
  for (;;) {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(65536), 0, 65536, offset);
    if (bytesRead === 0) break;
    chunks.push(buffer.subarray(0, bytesRead));
    offset += bytesRead;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), offset };
}

async function openIfExists(path: string): Promise<FileHandle | undefined> {
  return open(path, 'r').catch(() => undefined);
}

export async function* readLogs(record: ContainerRecord, options: LogsOptions, isStopped: () => Promise<boolean>): AsyncGenerator<LogLine> {
  const path = containerFiles(record).log;
  const parser = new LogParser();
  const isWanted = (line: LogLine): boolean => options.sinceMs === undefined || timestampMs(line.timestamp) >= options.sinceMs;
  const rotated = await openIfExists(`${path}.1`);
  let lines: LogLine[] = [];
  if (rotated !== undefined) {
    try {
      lines.push(...parser.push((await readFrom(rotated, 0)).text));
    } finally {
      await rotated.close();
    }
  }
  let handle = await openIfExists(path);
  let offset = 0;
  try {
    if (handle !== undefined) {
      const read = await readFrom(handle, 0);
      offset = read.offset;
      lines.push(...parser.push(read.text));
    }
    // Without --follow, a last line without its newline is a line too (and counts for --tail).
    if (options.follow !== true) lines.push(...parser.flush());
    lines = lines.filter(isWanted);
    if (options.tail !== undefined) lines = options.tail === 0 ? [] : lines.slice(-options.tail);
    yield* lines;
    if (options.follow !== true) return;
    for (;;) {
      options.signal?.throwIfAborted();
      // Checked before reading, so what was written before the stop is read below.
      const hasStopped = await isStopped();
      const current = await stat(path).catch(() => undefined);
      const mine = handle === undefined ? undefined : await handle.stat();
      if (handle !== undefined) {
        const read = await readFrom(handle, offset);
        offset = read.offset;
        yield* parser.push(read.text).filter(isWanted);
      }
      if (current !== undefined && (mine === undefined || current.ino !== mine.ino)) {
        await handle?.close();
        handle = await openIfExists(path);
        offset = 0;
        continue;
      }
      if (hasStopped) break;
      await delay(FOLLOW_POLL_MS);
    }
    yield* parser.flush().filter(isWanted);
  } finally {
    await handle?.close();
  }
}
