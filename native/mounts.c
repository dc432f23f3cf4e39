/* The container's filesystem view, built in its new mount namespace before
 * pivot_root. Every target is opened inside the rootfs first (paths.c), and
 * mounts go onto that fd, so a path is resolved exactly once. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int close_keep_errno(int fd)
{
	int saved = errno;

	if (fd >= 0)
		close(fd);
	errno = saved;
	return -1;
}

/* Nothing we mount may propagate back to the host's mount namespace. */
int make_root_slave(void)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return fail(STEP_MAKE_ROOT_SLAVE, 0, errno, "/");
	return 0;
}

/* pivot_root needs the new root to be a mount point: bind it onto itself. */
int bind_rootfs(const struct plan *plan, int *rootfd)
{
	const struct plan_record *root = plan_find(plan, TAG_ROOTFS);
	const char *path = plan_str(root, 0);

	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return fail(STEP_BIND_ROOTFS, root->index, errno, path);
	*rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*rootfd < 0)
		return fail(STEP_OPEN_ROOTFS, root->index, errno, path);
	/* pivot_root refuses a shared new root (EINVAL): shared waits for it. */
	if (plan_u64(root, 1) != 0 && !(plan_u64(root, 1) & MS_SHARED) && mount(NULL, path, NULL, plan_u64(root, 1), NULL) < 0)
		return fail(STEP_SET_ROOTFS_PROPAGATION, root->index, errno, path);
	return 0;
}

static int bind_entry(const struct plan_record *rec, int targetfd)
{
	uint64_t kind = plan_u64(rec, 5);
	unsigned int recursive = kind & MOUNT_KIND_RECURSIVE ? AT_RECURSIVE : 0;
	struct mount_attr attr = { .attr_set = plan_u64(rec, 6) };
	/* mount_setattr takes the propagation type alone: AT_RECURSIVE, set for
	 * rbind, is what applies it to the submounts. */
	struct mount_attr propagation = { .propagation = plan_u64(rec, 7) & ~(uint64_t)MS_REC };
	/* An ID-mapped bind was made, with its attributes, by the shim (idmap-mount.c). */
	int is_prepared = (attr.attr_set & MOUNT_ATTR_IDMAP) != 0;
	int tree = is_prepared ? take_prepared_mount(rec->index)
			       : (int)syscall(SYS_open_tree, AT_FDCWD, plan_str(rec, 0), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | recursive);

	if (tree < 0)
		return is_prepared ? -1 : fail(STEP_BIND_MOUNT, rec->index, errno, plan_str(rec, 0));
	/* The atime mode is one field: setting one (strictatime, noatime) must
	 * clear the field, or mount_setattr says EINVAL. */
	if (attr.attr_set & MOUNT_ATTR__ATIME)
		attr.attr_clr |= MOUNT_ATTR__ATIME;
	if (!is_prepared && attr.attr_set && syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | recursive, &attr, sizeof(attr)) < 0) {
		close_keep_errno(tree);
		return fail(STEP_SET_MOUNT_ATTRS, rec->index, errno, plan_str(rec, 1));
	}
	if (syscall(SYS_move_mount, tree, "", targetfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
		close_keep_errno(tree);
		return fail(STEP_BIND_MOUNT, rec->index, errno, plan_str(rec, 1));
	}
	/* Propagation only once attached: a detached tree cannot be shared (EINVAL). */
	if (propagation.propagation &&
	    syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | recursive, &propagation, sizeof(propagation)) < 0) {
		close_keep_errno(tree);
		return fail(STEP_SET_PROPAGATION, rec->index, errno, plan_str(rec, 1));
	}
	close(tree);
	return 0;
}

static int mount_entry(const struct plan_record *rec, int rootfd, int targetfd)
{
	char target[FD_PATH_BYTES];
	int top;

	fd_path(target, targetfd);
	if (mount(plan_str(rec, 0), target, plan_str(rec, 2), plan_u64(rec, 3), plan_str(rec, 4)) < 0)
		return fail(STEP_MOUNT, rec->index, errno, plan_str(rec, 1));
	if (plan_u64(rec, 7) == 0)
		return 0;
	/* targetfd still names the directory under the new mount: reopen. */
	top = open_in_root(rootfd, plan_str(rec, 1), O_PATH);
	if (top < 0)
		return fail(STEP_SET_PROPAGATION, rec->index, errno, plan_str(rec, 1));
	fd_path(target, top);
	if (mount(NULL, target, NULL, plan_u64(rec, 7), NULL) < 0) {
		close_keep_errno(top);
		return fail(STEP_SET_PROPAGATION, rec->index, errno, plan_str(rec, 1));
	}
	close(top);
	return 0;
}

int mount_entries(const struct plan *plan, int rootfd)
{
	const struct plan_record *rec;

	for (rec = plan_find(plan, TAG_MOUNT); rec != NULL; rec = plan_next(plan, rec, TAG_MOUNT)) {
		uint64_t kind = plan_u64(rec, 5);
		int create = kind & (MOUNT_KIND_TARGET_DIR | MOUNT_KIND_TARGET_FILE);
		int targetfd = create ? ensure_in_root(rootfd, plan_str(rec, 1), !(kind & MOUNT_KIND_TARGET_FILE))
				      : open_in_root(rootfd, plan_str(rec, 1), O_PATH);
		int rc;

		if (targetfd < 0)
			return fail(STEP_CREATE_MOUNT_TARGET, rec->index, errno, plan_str(rec, 1));
		rc = kind & MOUNT_KIND_BIND ? bind_entry(rec, targetfd) : mount_entry(rec, rootfd, targetfd);
		close(targetfd);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int ensure_dirs(const struct plan *plan, int rootfd, int precreate)
{
	const struct plan_record *rec;

	for (rec = plan_find(plan, TAG_ENSURE_DIR); rec != NULL; rec = plan_next(plan, rec, TAG_ENSURE_DIR)) {
		int fd;

		if ((plan_u64(rec, 1) != 0) != (precreate != 0))
			continue;
		fd = ensure_in_root(rootfd, plan_str(rec, 0), 1);
		if (fd < 0)
			return fail(STEP_ENSURE_DIR, rec->index, errno, plan_str(rec, 0));
		close(fd);
	}
	return 0;
}

static int split_parent(const char *path, char *parent, size_t size, const char **base)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL || (size_t)(slash - path) >= size || slash[1] == '\0') {
		errno = EINVAL;
		return -1;
	}
	memcpy(parent, path, (size_t)(slash - path));
	parent[slash - path] = '\0';
	*base = slash + 1;
	return 0;
}

int create_symlinks(const struct plan *plan, int rootfd)
{
	const struct plan_record *rec;
	char parent[4096];
	const char *base;

	for (rec = plan_find(plan, TAG_SYMLINK); rec != NULL; rec = plan_next(plan, rec, TAG_SYMLINK)) {
		int dirfd;

		if (split_parent(plan_str(rec, 1), parent, sizeof(parent), &base) < 0 ||
		    (dirfd = ensure_in_root(rootfd, parent, 1)) < 0)
			return fail(STEP_CREATE_SYMLINK, rec->index, errno, plan_str(rec, 1));
		if (symlinkat(plan_str(rec, 0), dirfd, base) < 0 && errno != EEXIST) {
			close_keep_errno(dirfd);
			return fail(STEP_CREATE_SYMLINK, rec->index, errno, plan_str(rec, 1));
		}
		close(dirfd);
	}
	return 0;
}

/* A masked directory gets an empty read-only tmpfs, a masked file /dev/null.
 * A path the kernel does not have needs no mask. */
static int mask_one(const struct plan_record *rec, int rootfd)
{
	char target[FD_PATH_BYTES];
	struct stat st;
	int fd = open_in_root(rootfd, plan_str(rec, 0), O_PATH), rc = 0, null_tree;

	if (fd < 0)
		return errno == ENOENT ? 0 : fail(STEP_MASK_PATH, rec->index, errno, plan_str(rec, 0));
	fd_path(target, fd);
	if (fstat(fd, &st) < 0)
		rc = -1;
	else if (S_ISDIR(st.st_mode))
		rc = mount("tmpfs", target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0");
	else if ((null_tree = (int)syscall(SYS_open_tree, AT_FDCWD, "/dev/null", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)) < 0)
		rc = -1;
	else {
		rc = (int)syscall(SYS_move_mount, null_tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
		close_keep_errno(null_tree);
	}
	if (rc < 0) {
		close_keep_errno(fd);
		return fail(STEP_MASK_PATH, rec->index, errno, plan_str(rec, 0));
	}
	close(fd);
	return 0;
}


/* A recursive read-only bind of the path onto itself. */
static int readonly_one(const struct plan_record *rec, int rootfd)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	int fd = open_in_root(rootfd, plan_str(rec, 0), O_PATH), tree;

	if (fd < 0)
		return errno == ENOENT ? 0 : fail(STEP_READONLY_PATH, rec->index, errno, plan_str(rec, 0));
	tree = (int)syscall(SYS_open_tree, fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
	if (tree < 0 || syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0 ||
	    syscall(SYS_move_mount, tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
		close_keep_errno(tree);
		close_keep_errno(fd);
		return fail(STEP_READONLY_PATH, rec->index, errno, plan_str(rec, 0));
	}
	close(tree);
	close(fd);
	return 0;
}

static int for_each_path(const struct plan *plan, uint32_t tag, int rootfd,
			 int (*apply)(const struct plan_record *, int))
{
	const struct plan_record *rec;

	for (rec = plan_find(plan, tag); rec != NULL; rec = plan_next(plan, rec, tag))
		if (apply(rec, rootfd) < 0)
			return -1;
	return 0;
}

int mask_paths(const struct plan *plan, int rootfd)
{
	return for_each_path(plan, TAG_MASK_PATH, rootfd, mask_one);
}

int make_paths_readonly(const struct plan *plan, int rootfd)
{
	return for_each_path(plan, TAG_READONLY_PATH, rootfd, readonly_one);
}

/* Last, so mounts could still create their targets in the rootfs. */
int make_rootfs_readonly(const struct plan *plan, int rootfd)
{
	const struct plan_record *root = plan_find(plan, TAG_ROOTFS);
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };

	if (plan_u64(root, 2) == 0)
		return 0;
	if (syscall(SYS_mount_setattr, rootfd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		return fail(STEP_READONLY_ROOTFS, root->index, errno, plan_str(root, 0));
	return 0;
}

/* pivot_root(".", ".") stacks the old root on top of the new one; detaching
 * it leaves no path back to the host's filesystem. */
int pivot_to_rootfs(const struct plan *plan, int rootfd)
{
	const struct plan_record *root = plan_find(plan, TAG_ROOTFS);

	if (fchdir(rootfd) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 ||
	    chdir("/") < 0)
		return fail(STEP_PIVOT_ROOT, 0, errno, ".");
	if ((plan_u64(root, 1) & MS_SHARED) && mount(NULL, "/", NULL, plan_u64(root, 1), NULL) < 0)
		return fail(STEP_SET_ROOTFS_PROPAGATION, root->index, errno, "/");
	return 0;
}
