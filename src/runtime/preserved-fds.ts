/**
 * --preserve-fds N: the caller's fds 3..3+N-1 go to the container's process
 * under the same numbers (runc's semantics, which socket activation's
 * LISTEN_FDS relies on). They are checked here so a closed one fails with
 * its number instead of a failed spawn.
 */
import { fstat } from 'node:fs';
import { IsolaError } from '../errors/index.ts';

/** The highest count that makes sense: fds above RLIMIT_NOFILE's usual soft limit are rare. */
const MAX_PRESERVED_FDS = 1 << 16;

function isOpen(fd: number): Promise<boolean> {
  return new Promise((resolve) => { fstat(fd, (error) => resolve(error === null)); });
}

/**
 * @throws IsolaError ISOLA_RUNTIME_PRESERVED_FD for a count out of range or a closed fd
 */
export async function checkPreservedFds(count: number): Promise<void> {
  if (!Number.isSafeInteger(count) || count < 0 || count > MAX_PRESERVED_FDS) {
    throw new IsolaError('ISOLA_RUNTIME_PRESERVED_FD', `cannot preserve ${count} fds`, { hint: `give a count from 0 to ${MAX_PRESERVED_FDS}` });
  }
  for (let fd = 3; fd < 3 + count; fd++) {
    if (!await isOpen(fd)) {
      throw new IsolaError('ISOLA_RUNTIME_PRESERVED_FD', `fd ${fd} is not open, so --preserve-fds ${count} cannot pass it on`,
        { hint: `open fds 3 to ${2 + count} before running the runtime, or pass a smaller count` });
    }
  }
}
