/* The launch plan: a flat list of typed records that TypeScript resolved
 * completely (src/launch/plan-encode.ts writes it). The shim decodes and
 * checks the whole plan before clone, then only reads it.
 *
 * Wire format, little-endian:
 *   header  "ISOLAPLN" u32 version u32 record_count
 *   record  u32 tag u32 field_count, then fields
 *   field   u8 'u' + u64 | u8 's' + u32 len + bytes + NUL (no NUL inside)
 *           | u8 'b' + u32 len + bytes + NUL (binary) */
#ifndef ISOLA_PLAN_H
#define ISOLA_PLAN_H

#include <stddef.h>
#include <stdint.h>

#define PLAN_VERSION 5
#define PLAN_MAX_BYTES (16u << 20)

/* Tags mirrored in src/launch/plan-tags.ts. Signature letters: u number,
 * s string, b bytes; a trailing '*' repeats the previous letter. */
#define PLAN_TAGS(X)                                       \
	X(TAG_NAMESPACES, 1, "u")   /* clone flags */          \
	X(TAG_UID_MAP, 2, "u*")     /* (inside, outside, count)... */ \
	X(TAG_GID_MAP, 3, "u*")                                \
	X(TAG_MAP_WRITER, 4, "uuss") /* method, deny setgroups, newuidmap, newgidmap */ \
	X(TAG_SETUP_IDS, 5, "uu")   /* uid, gid to become after the maps */ \
	X(TAG_ROOTFS, 6, "suu")     /* path, propagation flags, readonly */ \
	X(TAG_MOUNT, 7, "sssusuuu") /* source, dest, fstype, MS_ flags, data, kind, MOUNT_ATTR_ set, propagation */ \
	X(TAG_SYMLINK, 8, "ss")     /* target, link path */    \
	X(TAG_MASK_PATH, 9, "s")                               \
	X(TAG_READONLY_PATH, 10, "s")                          \
	X(TAG_HOSTNAME, 11, "s")                               \
	X(TAG_DOMAINNAME, 12, "s")                             \
	X(TAG_LOOPBACK_UP, 13, "")                             \
	X(TAG_RLIMIT, 14, "uuu")    /* resource, soft, hard */ \
	X(TAG_USER, 15, "uuu")      /* uid, gid, umask */      \
	X(TAG_GROUPS, 16, "u*")                                \
	X(TAG_CAPABILITIES, 17, "uuuuu") /* bounding, effective, permitted, inheritable, ambient */ \
	X(TAG_NO_NEW_PRIVS, 18, "")                            \
	X(TAG_CWD, 19, "s")                                    \
	X(TAG_ARGS, 20, "ss*")                                 \
	X(TAG_ENV, 21, "s*")                                   \
	X(TAG_TERMINAL, 22, "uuu")  /* rows, cols, make host stdin raw */ \
	X(TAG_OOM_SCORE_ADJ, 23, "u") /* two's complement */   \
	X(TAG_SECCOMP, 24, "uub")   /* SECCOMP_FILTER_FLAG_*, SECCOMP_PHASE_*, struct sock_filter[] */ \
	X(TAG_NEW_SESSION, 25, "")                             \
	X(TAG_ENSURE_DIR, 26, "su") /* path in rootfs, precreate */ \
	X(TAG_CGROUP_PROCS, 27, "s*") /* cgroup.procs files the init joins */ \
	X(TAG_ROOTFS_OVERLAY, 28, "sssus*") /* upper, work, extra options, OVERLAY_ flags, lowers (top first) */ \
	X(TAG_MOUNT_IDMAP, 29, "uu*") /* after an ID-mapped TAG_MOUNT: uid triple count, uid then gid triples */ \
	X(TAG_EXEC_FIFO, 32, "s")   /* fifo the init blocks on until `start` */ \
	X(TAG_DETACH, 33, "u")      /* DETACH_* */             \
	X(TAG_PID_FILE, 34, "s")    /* gets the init's host pid */ \
	X(TAG_CONSOLE_SOCKET, 35, "s") /* unix socket the pty master is sent to */ \
	X(TAG_JOIN_NAMESPACE, 36, "us") /* clone flag, namespace file to setns */ \
	X(TAG_HOOK, 37, "uuusss*")  /* HOOK_*, timeout s, argc, state before and after the pid, path, argv[argc], env... */ \
	X(TAG_MKNOD, 38, "suuuuuu") /* path in rootfs, S_IF* type, major, minor, mode, uid, gid */ \
	X(TAG_EXIT_FILE, 42, "s")   /* with DETACH_STAY: the monitor logs, writes this, runs the exit command (detach.c) */ \
	X(TAG_LOG_FILE, 43, "suu")  /* k8s-file log path, rotate above N bytes (0: never), files kept */ \
	X(TAG_EXIT_COMMAND, 44, "ss*") /* argv the monitor execs after the exit file is written */ \
	X(TAG_ATTACH_SOCKET, 45, "s") /* unix socket `isola attach` connects to (attach.c) */ \
	X(TAG_SYSCTL, 47, "ss")     /* path in rootfs (/proc/sys/...), value */ \
	X(TAG_PERSONALITY, 48, "u") /* personality(2) persona */ \
	X(TAG_TIME_OFFSETS, 49, "uuuu") /* monotonic secs, nsecs, boottime secs, nsecs (two's complement) */ \
	X(TAG_CHECK_EXECUTABLE, 56, "") /* look args[0] up before create returns (no hook may add it later) */ \
	X(TAG_PRESERVE_FDS, 60, "u") /* N: the shim's fds 4..4+N-1 become the process's 3..3+N-1 (--preserve-fds) */ \
	X(TAG_STDIN_PIPE, 70, "")   /* with TAG_EXIT_FILE: the init's stdin is a pipe attach clients write to (detach.c) */ \
	X(TAG_MAKE_CWD, 75, "suuu") /* cwd in rootfs to make when missing, precreate, owner uid, gid (0xffffffff: keep) */ \
	X(TAG_REMOVE_AT_EXIT, 81, "s*") /* --plan-file: paths removed with all under them, in order, once the container is gone */ \
	X(TAG_FAILURE_COMMAND, 82, "ss*") /* --plan-file: argv exec'd when the launch fails, the failure (hex) appended */ \
	X(TAG_STDIN_NULL, 83, "")   /* --plan-file: the container's stdin is /dev/null, not the caller's */ \
	X(TAG_DIE_WITH_MONITOR, 84, "") /* the init gets SIGKILL if the shim dies (PR_SET_PDEATHSIG) */

#define TAG_ENUM(name, value, sig) name = value,
enum plan_tag { PLAN_TAGS(TAG_ENUM) TAG_COUNT_ };
#undef TAG_ENUM

/* TAG_MOUNT kind bits. */
#define MOUNT_KIND_BIND 1u
#define MOUNT_KIND_RECURSIVE 2u
#define MOUNT_KIND_TARGET_DIR 4u
#define MOUNT_KIND_TARGET_FILE 8u
#define MOUNT_KIND_PRECREATE 16u

/* TAG_SECCOMP phases: when the filter is loaded. */
#define SECCOMP_PHASE_BEFORE_IDENTITY 1u
#define SECCOMP_PHASE_BEFORE_EXEC 2u
/* TAG_DETACH modes: exit once the process is created (with an exec fifo)
 * or executed (without), leaving it to the subreaper; or stay its parent
 * and monitor it while nobody may be reading the reports. */
#define DETACH_EXIT 1u
#define DETACH_STAY 2u
/* TAG_ROOTFS_OVERLAY flags. */
#define OVERLAY_IDMAP_LOWERS 1u /* ID-map each lower with the container's maps */
#define OVERLAY_IN_USERNS 2u    /* the init mounts it inside the container's user namespace */

/* TAG_HOOK kinds: run by the init, in the container's namespaces. */
#define HOOK_CREATE_CONTAINER 1u /* after the mounts, before pivot_root */
#define HOOK_START_CONTAINER 2u  /* after start, before the process */

/* TAG_MAP_WRITER methods. */
#define MAP_WRITER_DIRECT 1u
#define MAP_WRITER_HELPER 2u

struct plan_field {
	uint64_t num;
	const char *str; /* NUL-terminated, points into the plan buffer */
	uint32_t len;
	char kind;
};

struct plan_record {
	uint32_t tag;
	uint32_t index; /* position in the plan, reported on failure */
	uint32_t nfields;
	const struct plan_field *fields;
};

struct plan {
	char *buffer;
	size_t nrecords;
	struct plan_record *records;
	struct plan_field *fields;
};

/* Decodes `size` bytes; on failure returns -1 with errno EINVAL and the
 * failing record index in *bad_index. */
int plan_decode(struct plan *plan, char *buffer, size_t size, uint32_t *bad_index);
const struct plan_record *plan_find(const struct plan *plan, uint32_t tag);
const struct plan_record *plan_next(const struct plan *plan, const struct plan_record *after, uint32_t tag);

#define plan_u64(rec, i) ((rec)->fields[(i)].num)
#define plan_str(rec, i) ((rec)->fields[(i)].str)

#endif
