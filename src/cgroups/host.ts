/**
 * The narrow view of the host that cgroup code uses: a few file operations
 * on absolute paths, SIGKILL and a delay. The real host is the filesystem at
 * `/`; tests root the same implementation at a temp dir holding a fake
 * /proc/self and /sys/fs/cgroup made of plain files.
 */
import { accessSync, closeSync, constants, mkdirSync, openSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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

/**
 * The host's filesystem, or the one under `rootDir` (every path is taken relative to it).
 *
 * The calls are synchronous behind the promises: cgroupfs and /proc answer
 * from memory in microseconds, where a promise call costs a thread-pool
 * round trip, and a container's start makes a dozen of them.
 */
export function createFsCgroupHost(rootDir = '/'): CgroupHost {
  const at = (path: string): string => (rootDir === '/' ? path : join(rootDir, path));
  return {
    readFile: async (path) => readFileSync(at(path), 'utf8'),
    // O_TRUNC without O_CREAT: what `echo 10 > pids.max` does, minus creating.
    writeFile: async (path, text) => {
      const fd = openSync(at(path), constants.O_WRONLY | constants.O_TRUNC);
      try {
        writeFileSync(fd, text);
      } finally {
        closeSync(fd);
      }
    },
    makeDir: async (path) => { mkdirSync(at(path)); },
    removeDir: async (path) => { rmdirSync(at(path)); },
    exists: async (path) => {
      try {
        accessSync(at(path));
        return true;
      } catch {
        return false;
      }
    },
    killProcess: (pid) => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // ESRCH: it exited between reading cgroup.procs and now, which is the goal.
      }
    },
    sleep: (ms) => new Promise((resolve) => { setTimeout(resolve, ms); }),
  };
}
