/**
 * Parsers for an image's /etc/passwd and /etc/group (passwd(5), group(5)).
 * Lines whose numeric fields are not numbers are skipped rather than read as
 * 0, so a malformed entry can never turn a name into root.
 */

export interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  /** Empty when the entry has none. */
  readonly home: string;
}

export interface GroupEntry {
  readonly name: string;
  readonly gid: number;
  readonly members: readonly string[];
}

function parseId(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value <= 0xffffffff ? value : undefined;
}

function dataLines(text: string): string[][] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(':'));
}

export function parsePasswd(text: string): PasswdEntry[] {
  const entries: PasswdEntry[] = [];
  for (const fields of dataLines(text)) {
    const uid = parseId(fields[2]);
    const gid = parseId(fields[3]);
    const name = fields[0] ?? '';
    if (name === '' || uid === undefined || gid === undefined) continue;
    entries.push({ name, uid, gid, home: fields[5] ?? '' });
  }
  return entries;
}

export function parseGroup(text: string): GroupEntry[] {
  const entries: GroupEntry[] = [];
  for (const fields of dataLines(text)) {
    const gid = parseId(fields[2]);
    const name = fields[0] ?? '';
    if (name === '' || gid === undefined) continue;
    const members = (fields[3] ?? '')
      .split(',')
      .map((member) => member.trim())
      .filter((member) => member !== '');
    entries.push({ name, gid, members });
  }
  return entries;
}
