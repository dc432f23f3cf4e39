/**
 * OCI mount options (fstab words) split into what the kernel takes: MS_*
 * flags for mount(2), MOUNT_ATTR_* bits for binds (mount_setattr), a
 * propagation change, and the rest as filesystem data.
 */
import { IsolaError } from '../errors/index.ts';

export const MS = {
  rdonly: 1, nosuid: 2, nodev: 4, noexec: 8, synchronous: 16, mandlock: 64, dirsync: 128, nosymfollow: 256,
  noatime: 1024, nodiratime: 2048, bind: 4096, rec: 16384, unbindable: 1 << 17, private: 1 << 18,
  slave: 1 << 19, shared: 1 << 20, relatime: 1 << 21, strictatime: 1 << 24,
} as const;

const MOUNT_ATTR = { rdonly: 1, nosuid: 2, nodev: 4, noexec: 8, noatime: 0x10, strictatime: 0x20, nodiratime: 0x80, nosymfollow: 0x200000 } as const;

/** Options that set (or, when `isClear`, clear) a flag. */
const FLAG_OPTIONS: Readonly<Record<string, { readonly ms: number; readonly attr: number; readonly isClear?: boolean }>> = {
  ro: { ms: MS.rdonly, attr: MOUNT_ATTR.rdonly }, rw: { ms: MS.rdonly, attr: MOUNT_ATTR.rdonly, isClear: true },
  nosuid: { ms: MS.nosuid, attr: MOUNT_ATTR.nosuid }, suid: { ms: MS.nosuid, attr: MOUNT_ATTR.nosuid, isClear: true },
  nodev: { ms: MS.nodev, attr: MOUNT_ATTR.nodev }, dev: { ms: MS.nodev, attr: MOUNT_ATTR.nodev, isClear: true },
  noexec: { ms: MS.noexec, attr: MOUNT_ATTR.noexec }, exec: { ms: MS.noexec, attr: MOUNT_ATTR.noexec, isClear: true },
  noatime: { ms: MS.noatime, attr: MOUNT_ATTR.noatime }, atime: { ms: MS.noatime, attr: MOUNT_ATTR.noatime, isClear: true },
  nodiratime: { ms: MS.nodiratime, attr: MOUNT_ATTR.nodiratime }, diratime: { ms: MS.nodiratime, attr: MOUNT_ATTR.nodiratime, isClear: true },
  strictatime: { ms: MS.strictatime, attr: MOUNT_ATTR.strictatime }, nostrictatime: { ms: MS.strictatime, attr: MOUNT_ATTR.strictatime, isClear: true },
  relatime: { ms: MS.relatime, attr: 0 }, norelatime: { ms: MS.relatime, attr: 0, isClear: true },
  nosymfollow: { ms: MS.nosymfollow, attr: MOUNT_ATTR.nosymfollow }, symfollow: { ms: MS.nosymfollow, attr: MOUNT_ATTR.nosymfollow, isClear: true },
  sync: { ms: MS.synchronous, attr: 0 }, async: { ms: MS.synchronous, attr: 0, isClear: true },
  dirsync: { ms: MS.dirsync, attr: 0 }, mand: { ms: MS.mandlock, attr: 0 }, nomand: { ms: MS.mandlock, attr: 0, isClear: true },
};

const PROPAGATION: Readonly<Record<string, number>> = {
  private: MS.private, rprivate: MS.private | MS.rec, shared: MS.shared, rshared: MS.shared | MS.rec,
  slave: MS.slave, rslave: MS.slave | MS.rec, unbindable: MS.unbindable, runbindable: MS.unbindable | MS.rec,
};

/** Accepted and meaningless here: remount is implied, tmpcopyup is podman's. */
const IGNORED = new Set(['defaults', 'remount', 'tmpcopyup', 'notmpcopyup', 'copy-symlink', 'z', 'Z']);

export interface ParsedMountOptions {
  readonly isBind: boolean;
  readonly isRecursive: boolean;
  readonly flags: number;
  readonly attrSet: number;
  readonly propagation: number;
  readonly data: string;
  /** `idmap` (or `ridmap`, recursive): an ID-mapped bind. */
  readonly isIdmapped: boolean;
}

export function parseMountOptions(options: readonly string[], destination: string): ParsedMountOptions {
  let flags = 0;
  let attrSet = 0;
  let propagation = 0;
  let isBind = false;
  let isRecursive = false;
  let isIdmapped = false;
  const data: string[] = [];
  for (const option of options) {
    const flag = FLAG_OPTIONS[option];
    if (flag !== undefined) {
      flags = flag.isClear === true ? flags & ~flag.ms : flags | flag.ms;
      attrSet = flag.isClear === true ? attrSet & ~flag.attr : attrSet | flag.attr;
    } else if (option === 'bind' || option === 'rbind') {
      isBind = true;
      isRecursive ||= option === 'rbind';
    } else if (PROPAGATION[option] !== undefined) {
      propagation = PROPAGATION[option];
    } else if (option === 'idmap' || option === 'ridmap') {
      isIdmapped = true;
      isRecursive ||= option === 'ridmap';
    } else if (!IGNORED.has(option)) {
      if (option.includes(',')) throw new IsolaError('ISOLA_RUNTIME_INVALID_CONFIG', `mount ${destination}: option ${JSON.stringify(option)} contains a comma`);
      data.push(option);
    }
  }
  return { isBind, isRecursive, flags, attrSet, propagation, data: data.join(','), isIdmapped };
}
