/* Mounts made by the shim, privileged in its own user namespace, for the
 * container init to attach: the rootfs overlay and ID-mapped binds.
 *
 * Why the shim makes them and why they stay detached:
 * - ID-mapping a host filesystem (ext4, xfs) needs CAP_SYS_ADMIN in the user
 *   namespace that owns it, the initial one: the init, root only in the
 *   container's namespace, cannot do it.
 * - The overlay of the image layers must be mounted by real root so it reads
 *   the trusted.overlay.* xattrs (opaque directories) the layers were unpacked
 *   with; mounted inside the container's namespace it could only use user.*.
 * - open_tree(OPEN_TREE_CLONE) and fsmount() give detached mounts, held by an
 *   fd only. The shim passes them over the sync socket and the init moves them
 *   into its own mount namespace. They are never attached in the host's mount
 *   namespace, so there is nothing to unmount there, nothing propagates to
 *   other namespaces, and whatever dies at whatever point, the kernel frees a
 *   detached mount with its last fd: nothing can leak.
 * - The ID maps are the container's own: its user namespace exists (the clone
 *   happened, the maps are written) before these mounts are made, so no
 *   throwaway namespace is needed unless a mount asks for other maps.
 * Rootless, none of this is possible (an ordinary user may ID-map only
 * filesystems its namespace mounted), so TypeScript asks for the overlay to
 * be mounted by the init, inside the container's namespace, with userxattr.
 *
 * Fds reach the init in plan order: the rootfs overlay first, then one per
 * ID-mapped TAG_MOUNT. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_PREPARED 128
#define OVERLAY_DATA_BYTES 65536

static int prepared[MAX_PREPARED];
static int prepared_count, prepared_next;

static void close_all(int *fds, int count)
{
	int saved = errno;

	for (int i = 0; i < count; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	errno = saved;
}

static const struct plan_record *overlay_record(const struct plan *plan)
{
	return plan_find(plan, TAG_ROOTFS_OVERLAY);
}

static int is_idmapped_mount(const struct plan_record *rec)
{
	return (plan_u64(rec, 5) & MOUNT_KIND_BIND) && (plan_u64(rec, 6) & MOUNT_ATTR_IDMAP);
}

/* The TAG_MOUNT_IDMAP record right after an ID-mapped mount, if any. */
static const struct plan_record *custom_maps(const struct plan *plan, const struct plan_record *rec)
{
	const struct plan_record *next = rec + 1;

	if ((size_t)(next - plan->records) >= plan->nrecords || next->tag != TAG_MOUNT_IDMAP || plan_u64(next, 0) == 0)
		return NULL;
	return next;
}

static int write_map_text(pid_t pid, const char *file, const struct plan_record *maps, uint32_t first, uint32_t end)
{
	char path[64], text[340 * 36];
	size_t len = 0;
	int fd;
	ssize_t n;

	for (uint32_t i = first; i + 2 < end; i += 3) {
		int w = snprintf(text + len, sizeof(text) - len, "%" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
				 plan_u64(maps, i), plan_u64(maps, i + 1), plan_u64(maps, i + 2));
		if (w < 0 || (size_t)w >= sizeof(text) - len) {
			errno = E2BIG;
			return -1;
		}
		len += (size_t)w;
	}
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return -1;
	n = TEMP_FAILURE_RETRY_INT(write(fd, text, len));
	close_all(&fd, 1);
	if (n != (ssize_t)len) {
		errno = n < 0 ? errno : EIO;
		return -1;
	}
	return 0;
}

/* A user namespace holding maps other than the container's: a child that
 * only waits, whose namespace outlives it through the fd we open. */
static int throwaway_userns(const struct plan_record *maps)
{
	struct clone_args args;
	uint32_t uid_end = 1 + 3 * (uint32_t)plan_u64(maps, 0);
	char path[64];
	int hold[2], fd = -1, err = 0;
	pid_t child;

	if (uid_end > maps->nfields)
		return fail(STEP_IDMAP_USERNS, maps->index, EINVAL, "uid map");
	if (pipe2(hold, O_CLOEXEC) < 0)
		return fail(STEP_IDMAP_USERNS, maps->index, errno, "pipe");
	memset(&args, 0, sizeof(args));
	args.flags = CLONE_NEWUSER;
	args.exit_signal = SIGCHLD;
	child = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (child == 0) {
		char byte;
		close(hold[1]);
		_exit(read(hold[0], &byte, 1) < 0);
	}
	close(hold[0]);
	if (child < 0) {
		err = errno;
	} else {
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)child);
		if (write_map_text(child, "uid_map", maps, 1, uid_end) < 0 ||
		    write_map_text(child, "gid_map", maps, uid_end, maps->nfields) < 0 ||
		    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			err = errno;
	}
	close(hold[1]);
	if (child > 0)
		TEMP_FAILURE_RETRY_INT(waitpid(child, NULL, 0));
	if (err != 0)
		return fail(STEP_IDMAP_USERNS, maps->index, err, "user namespace for an ID-mapped mount");
	return fd;
}

/* A detached copy of `path`, ID-mapped through userns_fd, with extra attrs. */
static int idmapped_tree(const char *path, unsigned int recursive, uint64_t attrs, uint64_t propagation, int userns_fd,
			 uint32_t index)
{
	struct mount_attr attr = { .attr_set = attrs | MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns_fd,
				   .propagation = propagation & ~(uint64_t)MS_REC };
	int tree = (int)syscall(SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | recursive);

	if (tree < 0)
		return fail(STEP_IDMAP_MOUNT, index, errno, path);
	if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | recursive, &attr, sizeof(attr)) < 0) {
		close_all(&tree, 1);
		return fail(STEP_IDMAP_MOUNT, index, errno, path);
	}
	return tree;
}

static int fsconfig_string(int fs, const char *key, const char *value, const struct plan_record *rec)
{
	if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, key, value, 0) < 0)
		return fail(STEP_MOUNT_OVERLAY, rec->index, errno, value);
	return 0;
}

/* Extra options are comma-separated flags or key=value pairs. */
static int fsconfig_options(int fs, const char *options, const struct plan_record *rec)
{
	char buffer[1024], *save = NULL;

	if (snprintf(buffer, sizeof(buffer), "%s", options) >= (int)sizeof(buffer))
		return fail(STEP_MOUNT_OVERLAY, rec->index, E2BIG, options);
	for (char *opt = strtok_r(buffer, ",", &save); opt != NULL; opt = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(opt, '=');
		long rc;

		if (eq != NULL) {
			*eq = '\0';
			rc = syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, opt, eq + 1, 0);
		} else {
			rc = syscall(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, opt, NULL, 0);
		}
		if (rc < 0)
			return fail(STEP_MOUNT_OVERLAY, rec->index, errno, opt);
	}
	return 0;
}

/* lowerdir= from the record's lowers, each replaced by its ID-mapped tree
 * (a /proc/self/fd path to the detached mount) when trees are given. */
static int lowerdir_text(char *out, size_t size, const struct plan_record *rec, const int *trees)
{
	size_t len = 0;

	for (uint32_t i = 4; i < rec->nfields; i++) {
		char fdpath[FD_PATH_BYTES];
		const char *lower = plan_str(rec, i);
		int n;

		if (trees != NULL) {
			fd_path(fdpath, trees[i - 4]);
			lower = fdpath;
		}
		n = snprintf(out + len, size - len, "%s%s", len ? ":" : "", lower);
		if (n < 0 || (size_t)n >= size - len)
			return fail(STEP_MOUNT_OVERLAY, rec->index, E2BIG, "lowerdir");
		len += (size_t)n;
	}
	return 0;
}

/* fsconfig copies at most 256 bytes of a string value, so the lowers go in
 * one by one with "lowerdir+" (Linux 6.8); an older kernel refuses the key
 * and gets the whole list as "lowerdir", which is then limited to 256 bytes. */
static int add_lowers(int fs, const struct plan_record *rec, const int *trees, const char *joined)
{
	for (uint32_t i = 4; i < rec->nfields; i++) {
		char fdpath[FD_PATH_BYTES];
		const char *lower = plan_str(rec, i);

		if (trees != NULL) {
			fd_path(fdpath, trees[i - 4]);
			lower = fdpath;
		}
		if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "lowerdir+", lower, 0) == 0)
			continue;
		if (i == 4 && errno == EINVAL)
			return fsconfig_string(fs, "lowerdir", joined, rec);
		return fail(STEP_MOUNT_OVERLAY, rec->index, errno, plan_str(rec, i));
	}
	return 0;
}

/* The overlay as a detached mount: fsopen + fsconfig + fsmount. */
static int detached_overlay(const struct plan_record *rec, int userns_fd)
{
	static char lowers[OVERLAY_DATA_BYTES];
	int trees[MAX_PREPARED], ntrees = 0, fs = -1, mnt = -1;
	uint32_t nlowers = rec->nfields - 4;

	if (nlowers == 0 || nlowers > MAX_PREPARED)
		return fail(STEP_MOUNT_OVERLAY, rec->index, EINVAL, "lowers");
	if (plan_u64(rec, 3) & OVERLAY_IDMAP_LOWERS) {
		for (; ntrees < (int)nlowers; ntrees++) {
			trees[ntrees] = idmapped_tree(plan_str(rec, 4 + (uint32_t)ntrees), 0, 0, 0, userns_fd, rec->index);
			if (trees[ntrees] < 0)
				goto out;
		}
	}
	if (lowerdir_text(lowers, sizeof(lowers), rec, ntrees ? trees : NULL) < 0)
		goto out;
	if ((fs = (int)syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC)) < 0) {
		fail(STEP_MOUNT_OVERLAY, rec->index, errno, "fsopen overlay");
		goto out;
	}
	if (add_lowers(fs, rec, ntrees ? trees : NULL, lowers) < 0 || fsconfig_string(fs, "upperdir", plan_str(rec, 0), rec) < 0 ||
	    fsconfig_string(fs, "workdir", plan_str(rec, 1), rec) < 0 || fsconfig_options(fs, plan_str(rec, 2), rec) < 0)
		goto out;
	if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		fail(STEP_MOUNT_OVERLAY, rec->index, errno, plan_str(rec, 0));
		goto out;
	}
	if ((mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0)) < 0)
		fail(STEP_MOUNT_OVERLAY, rec->index, errno, plan_str(rec, 0));
out:
	/* The overlay holds its own clones of the lowers: the trees may go. */
	close_all(trees, ntrees);
	close_all(&fs, 1);
	return mnt;
}

static int send_prepared(int sync_fd, int fd, uint32_t index)
{
	int rc = send_fd(sync_fd, MSG_MOUNT_FD, fd);

	close_all(&fd, 1);
	return rc < 0 ? fail(STEP_PASS_MOUNT, index, errno, "sync socket") : 0;
}

/* Parent side, after the ID maps are written and before MSG_PARENT_DONE. */
int prepare_mounts(const struct plan *plan, pid_t pid, int sync_fd)
{
	const struct plan_record *overlay = overlay_record(plan), *rec;
	int userns_fd = -1, rc = -1, fd;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	if (plan_find(plan, TAG_UID_MAP) != NULL && (userns_fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return fail(STEP_IDMAP_USERNS, 0, errno, path);
	if (overlay != NULL && !(plan_u64(overlay, 3) & OVERLAY_IN_USERNS)) {
		if ((fd = detached_overlay(overlay, userns_fd)) < 0 || send_prepared(sync_fd, fd, overlay->index) < 0)
			goto out;
	}
	for (rec = plan_find(plan, TAG_MOUNT); rec != NULL; rec = plan_next(plan, rec, TAG_MOUNT)) {
		const struct plan_record *maps = custom_maps(plan, rec);
		unsigned int recursive = plan_u64(rec, 5) & MOUNT_KIND_RECURSIVE ? AT_RECURSIVE : 0;
		int ns = userns_fd;

		if (!is_idmapped_mount(rec))
			continue;
		if (maps != NULL && (ns = throwaway_userns(maps)) < 0)
			goto out;
		fd = idmapped_tree(plan_str(rec, 0), recursive, plan_u64(rec, 6) & ~(uint64_t)MOUNT_ATTR_IDMAP,
				   plan_u64(rec, 7), ns, rec->index);
		if (ns != userns_fd)
			close_all(&ns, 1);
		if (fd < 0 || send_prepared(sync_fd, fd, rec->index) < 0)
			goto out;
	}
	rc = 0;
out:
	close_all(&userns_fd, 1);
	return rc;
}

/* Init side: collects the prepared mounts the shim sends before MSG_PARENT_DONE. */
int receive_prepared_mounts(int sync_fd)
{
	struct shim_message msg;
	int fd, got;

	for (;;) {
		got = receive_message(sync_fd, &msg, &fd);
		if (got < 0)
			return fail(STEP_WAIT_FOR_PARENT, 0, errno, "sync socket");
		if (got == 1 && msg.type == MSG_PARENT_DONE)
			return 0;
		if (got == 0 || msg.type != MSG_MOUNT_FD || fd < 0 || prepared_count == MAX_PREPARED) {
			close_all(&fd, 1);
			return fail(STEP_PASS_MOUNT, 0, EPROTO, "unexpected message on the sync socket");
		}
		prepared[prepared_count++] = fd;
	}
}

/* The next prepared mount, in plan order; the caller closes it. */
int take_prepared_mount(uint32_t index)
{
	if (prepared_next == prepared_count)
		return fail(STEP_ATTACH_MOUNT, index, ENOENT, "no prepared mount left");
	return prepared[prepared_next++];
}

/* Init side, in the container's mount namespace, before the rootfs is bound:
 * the overlay goes onto the rootfs path, an empty directory on the host. */
int attach_rootfs_overlay(const struct plan *plan)
{
	const struct plan_record *overlay = overlay_record(plan), *root = plan_find(plan, TAG_ROOTFS);
	int fd;

	if (overlay == NULL)
		return 0;
	/* Rootless: made here, as the container's root, where overlayfs allows
	 * it (FS_USERNS_MOUNT, with userxattr), else made by the shim. */
	if (plan_u64(overlay, 3) & OVERLAY_IN_USERNS)
		fd = detached_overlay(overlay, -1);
	else
		fd = take_prepared_mount(overlay->index);
	if (fd < 0)
		return -1;
	if (syscall(SYS_move_mount, fd, "", AT_FDCWD, plan_str(root, 0), MOVE_MOUNT_F_EMPTY_PATH) < 0) {
		close_all(&fd, 1);
		return fail(STEP_ATTACH_MOUNT, overlay->index, errno, plan_str(root, 0));
	}
	close(fd);
	return 0;
}
