/* Paths inside the rootfs are resolved with openat2(RESOLVE_IN_ROOT): a symlink
 * in the image (absolute or full of "..") can never lead a mount out of the
 * rootfs. This closes runc CVE-2021-30465's class of bugs. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

void fd_path(char out[FD_PATH_BYTES], int fd)
{
	snprintf(out, FD_PATH_BYTES, "/proc/self/fd/%d", fd);
}

int open_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	while (*path == '/')
		path++;
	if (*path == '\0')
		path = ".";
	return (int)TEMP_FAILURE_RETRY_INT(syscall(SYS_openat2, rootfd, path, &how, sizeof(how)));
}

static int create_last(int parentfd, const char *base, int is_dir)
{
	int fd;

	if (is_dir)
		return mkdirat(parentfd, base, 0755) < 0 && errno != EEXIST ? -1 : 0;
	fd = openat(parentfd, base, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno == EEXIST ? 0 : -1;
	close(fd);
	return 0;
}

/* Opens `path` (O_PATH) inside the root, creating what is missing: every
 * parent as a directory, the last component as a directory or empty file. */
int ensure_in_root(int rootfd, const char *path, int last_is_dir)
{
	char parent[PATH_MAX];
	const char *base;
	int fd, parentfd, saved;

	fd = open_in_root(rootfd, path, O_PATH);
	if (fd >= 0 || errno != ENOENT)
		return fd;
	if (snprintf(parent, sizeof(parent), "%s", path) >= (int)sizeof(parent)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	char *slash = strrchr(parent, '/');
	if (slash == NULL || slash[1] == '\0') {
		errno = EINVAL;
		return -1;
	}
	*slash = '\0';
	base = path + (slash - parent) + 1;
	parentfd = ensure_in_root(rootfd, parent, 1);
	if (parentfd < 0)
		return -1;
	if (create_last(parentfd, base, last_is_dir) < 0) {
		saved = errno;
		close(parentfd);
		errno = saved;
		return -1;
	}
	close(parentfd);
	return open_in_root(rootfd, path, O_PATH);
}

/* Mount targets in the image's own directories are created before clone,
 * with the caller's credentials: inside the new user namespace, container root
 * is usually not the owner of the image's directories. */
int precreate_targets(const struct plan *plan)
{
	const struct plan_record *root = plan_find(plan, TAG_ROOTFS);
	const struct plan_record *rec;
	int rootfd, fd;

	if (root == NULL)
		return 0;
	rootfd = open(plan_str(root, 0), O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return fail(STEP_PRECREATE_TARGET, root->index, errno, plan_str(root, 0));
	for (rec = plan_find(plan, TAG_MOUNT); rec != NULL; rec = plan_next(plan, rec, TAG_MOUNT)) {
		uint64_t kind = plan_u64(rec, 5);

		if (!(kind & MOUNT_KIND_PRECREATE))
			continue;
		fd = ensure_in_root(rootfd, plan_str(rec, 1), !(kind & MOUNT_KIND_TARGET_FILE));
		if (fd < 0) {
			close(rootfd);
			return fail(STEP_PRECREATE_TARGET, rec->index, errno, plan_str(rec, 1));
		}
		close(fd);
	}
	fd = ensure_dirs(plan, rootfd, 1);
	if (fd == 0)
		fd = make_cwd(plan, rootfd, 1);
	close(rootfd);
	return fd;
}

/* The process's working directory when the rootfs lacks it, as runc and
 * docker make it: resolved in the root like a mount target, so a symlink
 * cannot lead it out. Only a directory made here gets the plan's owner; any
 * other failure to open it is left to chdir, which runs as the final user. */
int make_cwd(const struct plan *plan, int rootfd, int precreate)
{
	const struct plan_record *rec = plan_find(plan, TAG_MAKE_CWD);
	uid_t uid;
	gid_t gid;
	int fd, saved;

	if (rec == NULL || (plan_u64(rec, 1) != 0) != (precreate != 0))
		return 0;
	fd = open_in_root(rootfd, plan_str(rec, 0), O_PATH);
	if (fd >= 0 || errno != ENOENT) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	fd = ensure_in_root(rootfd, plan_str(rec, 0), 1);
	/* ENOENT: a symlink on the way leads to a missing path. Before clone it
	 * may lead into a mount not made yet (podman's /link -> /vol/dir), so
	 * chdir, after the mounts, decides. */
	if (fd < 0 && precreate && errno == ENOENT)
		return 0;
	if (fd < 0)
		return fail(STEP_MAKE_CWD, rec->index, errno, plan_str(rec, 0));
	uid = (uid_t)plan_u64(rec, 2);
	gid = (gid_t)plan_u64(rec, 3);
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) && fchownat(fd, "", uid, gid, AT_EMPTY_PATH) < 0) {
		saved = errno;
		close(fd);
		return fail(STEP_MAKE_CWD, rec->index, saved, plan_str(rec, 0));
	}
	close(fd);
	return 0;
}
