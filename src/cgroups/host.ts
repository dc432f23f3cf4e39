/**
 * The narrow view of the host that cgroup code uses: a few file operations
 * on absolute paths, SIGKILL and a delay. The real host is the filesystem at
 * `/`; tests root the same implementation at a temp dir holding a fake
 * /proc/self and /sys/fs/cgroup made of plain files.
 */
import { constants } from 'node:fs';
import { access, mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export interface CgroupHost {
  readFile(path: string): Promise<string>;
  /** Writes to an existing file: cgroupfs refuses to create files, and so does this. */
  writeFile(path: string, text: string): Promise<void>;
  /** Creates one directory; rejects with EEXIST when it exists. */
  makeDir(path: string): Promise<void>;
  removeDir(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  /** SIGKILL; a process that is already gone is not an error. */
  killProcess(pid: number): void;
  sleep(ms: number): Promise<void>;
}

/** The host's filesystem, or the one under `rootDir` (every path is taken relative to it). */
export function createFsCgroupHost(rootDir = '/'): CgroupHost {
  const at = (path: string): string => (rootDir === '/' ? path : join(rootDir, path));
  return {
    readFile: (path) => readFile(at(path), 'utf8'),
    // O_TRUNC without O_CREAT: what `echo 10 > pids.max` does, minus creating.
    writeFile: (path, text) => writeFile(at(path), text, { flag: constants.O_WRONLY | constants.O_TRUNC }),
    makeDir: async (path) => { await mkdir(at(path)); },
    removeDir: (path) => rmdir(at(path)),
    exists: (path) => access(at(path)).then(() => true, () => false),
    killProcess: (pid) => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // ESRCH: it exited between reading cgroup.procs and now, which is the goal.
      }
    },
    sleep: async (ms) => { await delay(ms); },
  };
}
