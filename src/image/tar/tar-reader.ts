/**
 * Pull-style reading on top of TarParser: `for await (const { entry, body } of readTarEntries(stream))`.
 * Each body must be read (or left: it is skipped) before the next entry arrives.
 */
import { TarParser } from './tar-parser.ts';
import type { TarEntry } from './tar-entry.ts';

export interface TarStreamEntry {
  readonly entry: TarEntry;
  /** The entry's stored bytes in order; for a sparse file, its data segments (see entry.sparse). */
  readonly body: AsyncIterable<Buffer>;
}

type ParserEvent = { kind: 'entry'; entry: TarEntry } | { kind: 'data'; chunk: Buffer } | { kind: 'end' };

/** Reads a tar stream (already decompressed) entry by entry. Throws TarError on malformed input. */
export async function* readTarEntries(source: AsyncIterable<Uint8Array>): AsyncGenerator<TarStreamEntry> {
  const iterator = source[Symbol.asyncIterator]();
  let events: ParserEvent[] = [];
  let next = 0;
  let isSourceDone = false;
  const parser = new TarParser({
    onEntry: (entry) => { events.push({ kind: 'entry', entry }); },
    // The chunk is a slice of the source's buffer, which the source may reuse: copy it.
    onData: (chunk) => { events.push({ kind: 'data', chunk: Buffer.from(chunk) }); },
    onEntryEnd: () => { events.push({ kind: 'end' }); },
  });
  const nextEvent = async (): Promise<ParserEvent | undefined> => {
    while (next === events.length) {
      if (isSourceDone || parser.isDone) return undefined;
      events = [];
      next = 0;
      const result = await iterator.next();
      if (result.done === true) {
        isSourceDone = true;
        parser.end();
      } else {
        parser.push(Buffer.from(result.value.buffer, result.value.byteOffset, result.value.byteLength));
      }
    }
    return events[next++];
  };
  try {
    for (let event = await nextEvent(); event !== undefined; event = await nextEvent()) {
      if (event.kind !== 'entry') continue; // the rest of a body the caller did not read
      let isBodyDone = false;
      const body = async function* (): AsyncGenerator<Buffer> {
        while (!isBodyDone) {
          const e = await nextEvent();
          if (e === undefined || e.kind === 'end') { isBodyDone = true; return; }
          if (e.kind === 'data') yield e.chunk;
        }
      };
      yield { entry: event.entry, body: body() };
    }
  } finally {
    await iterator.return?.();
  }
}
