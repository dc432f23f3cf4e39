/**
 * pax extended header records: "LEN KEY=VALUE\n", LEN counting the whole
 * record in bytes. Values stay bytes: SCHILY.xattr.* values are binary.
 */
import { TarError } from './tar-error.ts';

export function parsePaxRecords(body: Buffer, offset: number): Map<string, Buffer> {
  const records = new Map<string, Buffer>();
  let pos = 0;
  while (pos < body.length) {
    if (body[pos] === 0) break; // some writers pad the body with NULs
    const space = body.indexOf(0x20, pos);
    const length = space === -1 ? NaN : Number(body.toString('latin1', pos, space));
    if (!Number.isSafeInteger(length) || length <= space - pos + 1 || pos + length > body.length || body[pos + length - 1] !== 0x0a) {
      throw new TarError('ISOLA_TAR_INVALID', `malformed pax record in the header at byte ${offset}`, { offset });
    }
    const equals = body.indexOf(0x3d, space + 1);
    if (equals === -1 || equals >= pos + length) {
      throw new TarError('ISOLA_TAR_INVALID', `pax record without '=' in the header at byte ${offset}`, { offset });
    }
    records.set(body.toString('utf8', space + 1, equals), body.subarray(equals + 1, pos + length - 1));
    pos += length;
  }
  return records;
}

/** One record; its length prefix counts its own digits, hence the fixed point. */
export function formatPaxRecord(key: string, value: Buffer): Buffer {
  const tail = Buffer.byteLength(key) + value.length + 3; // ' ' '=' '\n'
  let length = tail + String(tail).length;
  if (String(length).length !== String(length - tail).length) length = tail + String(length).length;
  return Buffer.concat([Buffer.from(`${length} ${key}=`, 'utf8'), value, Buffer.from('\n')]);
}
