/** The exit file the monitor writes (native/detach.c): "RAW_WAIT_STATUS SECONDS.NANOS\n". */
import { readFile } from 'node:fs/promises';

export interface RecordedExit {
  /** The exit status, 128+N for signal N, as shells report it. */
  readonly exitCode: number;
  readonly finishedMs: number;
}

export function parseExitFile(text: string): RecordedExit | undefined {
  const match = /^(-?\d+) (\d+)\.(\d{9})\n$/.exec(text);
  if (match === null) return undefined;
  const raw = Number(match[1]);
  const signal = raw & 0x7f;
  return {
    exitCode: signal === 0 ? (raw >> 8) & 0xff : 128 + signal,
    finishedMs: Number(match[2]) * 1000 + Math.floor(Number(match[3]) / 1e6),
  };
}

/** The recorded exit, or undefined when the monitor wrote none (it is running, or it died). */
export async function readExitFile(path: string): Promise<RecordedExit | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : parseExitFile(text);
}
