/* Setup steps the shim reports on failure. Mirrored in src/launch/steps.ts:
 * a unit test fails when the two drift. Changing a value is an interface
 * change: bump PLAN_VERSION in plan.h. */
#ifndef ISOLA_STEPS_H
#define ISOLA_STEPS_H

#define STEPS(X)                                  \
	X(STEP_READ_PLAN, 1, "read-plan")             \
	X(STEP_DECODE_PLAN, 2, "decode-plan")         \
	X(STEP_PRECREATE_TARGET, 3, "precreate-target") \
	X(STEP_CLONE, 4, "clone")                     \
	X(STEP_WRITE_SETGROUPS, 5, "write-setgroups") \
	X(STEP_WRITE_UID_MAP, 6, "write-uid-map")     \
	X(STEP_WRITE_GID_MAP, 7, "write-gid-map")     \
	X(STEP_RUN_NEWUIDMAP, 8, "run-newuidmap")     \
	X(STEP_RUN_NEWGIDMAP, 9, "run-newgidmap")     \
	X(STEP_WAIT_FOR_PARENT, 10, "wait-for-parent") \
	X(STEP_SET_SETUP_IDS, 11, "set-setup-ids")    \
	X(STEP_MAKE_ROOT_SLAVE, 12, "make-root-slave") \
	X(STEP_BIND_ROOTFS, 13, "bind-rootfs")        \
	X(STEP_OPEN_ROOTFS, 14, "open-rootfs")        \
	X(STEP_SET_ROOTFS_PROPAGATION, 15, "set-rootfs-propagation") \
	X(STEP_CREATE_MOUNT_TARGET, 16, "create-mount-target") \
	X(STEP_MOUNT, 17, "mount")                    \
	X(STEP_BIND_MOUNT, 18, "bind-mount")          \
	X(STEP_SET_MOUNT_ATTRS, 19, "set-mount-attrs") \
	X(STEP_SET_PROPAGATION, 20, "set-propagation") \
	X(STEP_CREATE_SYMLINK, 21, "create-symlink")  \
	X(STEP_MASK_PATH, 22, "mask-path")            \
	X(STEP_READONLY_PATH, 23, "readonly-path")    \
	X(STEP_READONLY_ROOTFS, 24, "readonly-rootfs") \
	X(STEP_OPEN_CONSOLE, 25, "open-console")      \
	X(STEP_SEND_CONSOLE, 26, "send-console")      \
	X(STEP_PIVOT_ROOT, 27, "pivot-root")          \
	X(STEP_SET_HOSTNAME, 28, "set-hostname")      \
	X(STEP_SET_DOMAINNAME, 29, "set-domainname")  \
	X(STEP_LOOPBACK_UP, 30, "loopback-up")        \
	X(STEP_SET_RLIMIT, 31, "set-rlimit")          \
	X(STEP_SET_OOM_SCORE_ADJ, 32, "set-oom-score-adj") \
	X(STEP_NEW_SESSION, 33, "new-session")        \
	X(STEP_SET_CONTROLLING_TTY, 34, "set-controlling-tty") \
	X(STEP_DROP_BOUNDING_SET, 35, "drop-bounding-set") \
	X(STEP_SET_GROUPS, 36, "set-groups")          \
	X(STEP_SET_GID, 37, "set-gid")                \
	X(STEP_SET_UID, 38, "set-uid")                \
	X(STEP_SET_CAPABILITIES, 39, "set-capabilities") \
	X(STEP_SET_AMBIENT, 40, "set-ambient")        \
	X(STEP_NO_NEW_PRIVS, 41, "no-new-privs")      \
	X(STEP_SECCOMP, 42, "seccomp")                \
	X(STEP_CHDIR, 43, "chdir")                    \
	X(STEP_CLOSE_FDS, 44, "close-fds")            \
	X(STEP_EXEC, 45, "exec")                      \
	X(STEP_SYNC, 46, "sync")                      \
	X(STEP_MONITOR, 47, "monitor")                \
	X(STEP_ENSURE_DIR, 48, "ensure-dir")        \
	X(STEP_JOIN_CGROUP, 49, "join-cgroup")        \
	X(STEP_IDMAP_USERNS, 50, "idmap-userns")      \
	X(STEP_IDMAP_MOUNT, 51, "idmap-mount")        \
	X(STEP_MOUNT_OVERLAY, 52, "mount-overlay")    \
	X(STEP_PASS_MOUNT, 53, "pass-mount")          \
	X(STEP_ATTACH_MOUNT, 54, "attach-mount") \
	X(STEP_JOIN_NAMESPACE, 55, "join-namespace")  \
	X(STEP_MAKE_EXEC_FIFO, 56, "make-exec-fifo")  \
	X(STEP_WAIT_FOR_START, 57, "wait-for-start")  \
	X(STEP_WRITE_PID_FILE, 58, "write-pid-file")  \
	X(STEP_CONSOLE_SOCKET, 59, "console-socket")  \
	X(STEP_RUN_HOOK, 60, "run-hook")              \
	X(STEP_MAKE_DEVICE_NODE, 61, "make-device-node") \
	X(STEP_OPEN_LOG, 65, "open-log")              \
	X(STEP_LOG_PIPE, 66, "log-pipe")              \
	X(STEP_ATTACH_LOG, 67, "attach-log")          \
	X(STEP_ATTACH_SOCKET, 68, "attach-socket") \
	X(STEP_STDIN_PIPE, 90, "stdin-pipe")          \
	X(STEP_SET_SYSCTL, 70, "set-sysctl")          \
	X(STEP_SET_PERSONALITY, 71, "set-personality") \
	X(STEP_SET_TIME_OFFSETS, 72, "set-time-offsets") \
	X(STEP_FSOPS_READ, 75, "fsops-read")          \
	X(STEP_FSOPS_RESOLVE, 76, "fsops-resolve")    \
	X(STEP_FSOPS_MKNOD, 77, "fsops-mknod")        \
	X(STEP_FSOPS_SET_ATTRS, 78, "fsops-set-attrs") \
	X(STEP_FSOPS_SETXATTR, 79, "fsops-setxattr") \
	X(STEP_PRESERVE_FDS, 80, "preserve-fds") \
	X(STEP_MAKE_CWD, 95, "make-cwd") \
	X(STEP_DIE_WITH_MONITOR, 96, "die-with-monitor")

#define STEP_ENUM(name, value, text) name = value,
enum step { STEPS(STEP_ENUM) };
#undef STEP_ENUM

#endif
