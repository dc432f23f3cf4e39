/* `isola-shim fsops`: file operations Node cannot do (mknod, setxattr), in
 * one batch per layer, with every path resolved beneath a directory fd.
 *
 *   fd 3: socket to TypeScript. In: u32 LE length + batch. Out: one
 *         struct shim_message (report.h): MSG_FAILED (step, errno, op index,
 *         path) or FSOPS_MSG_DONE (value: ops skipped, err and detail: the
 *         first skipped op's errno and path).
 *   fd 4: the directory every path is relative to.
 *
 * Batch: u32 op count, then per op a header of ten u32 (op, flags, mode,
 * uid, gid, dev major, dev minor, path length, name length, value length)
 * followed by the path, name and value bytes (no NULs). Mirrored in
 * src/launch/fs-ops.ts. */
#ifndef ISOLA_FSOPS_H
#define ISOLA_FSOPS_H

#define FSOPS_VERSION 1
#define FSOPS_MAX_BYTES (256u << 20)
#define FSOPS_MSG_DONE 64

/* mknodat + fchownat + chmod (after chown, which clears set-id bits). */
#define FSOP_MKNOD 1u
/* setxattr on the path itself, never following a symlink. */
#define FSOP_SETXATTR 2u

/* A failure of this op is counted as skipped instead of ending the batch. */
#define FSOP_FLAG_OPTIONAL 1u

int run_fsops(void);

#endif
