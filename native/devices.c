/* Device nodes made with mknod, for a container without a user namespace
 * of its own (in one, mknod is refused and TypeScript plans bind mounts of
 * the host's nodes instead). Made in the rootfs after the mounts, so a
 * node lands on the container's own /dev. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int make_node(const struct plan_record *rec, int rootfd)
{
	static char parent[PATH_MAX];
	const char *path = plan_str(rec, 0), *slash = strrchr(path, '/');
	mode_t mode = (mode_t)plan_u64(rec, 4) & 07777;
	int parentfd, saved;

	if (slash == NULL || slash[1] == '\0' || (size_t)(slash - path) >= sizeof(parent))
		return fail(STEP_MAKE_DEVICE_NODE, rec->index, EINVAL, path);
	memcpy(parent, path, (size_t)(slash - path));
	parent[slash - path] = '\0';
	parentfd = ensure_in_root(rootfd, parent[0] ? parent : "/", 1);
	if (parentfd < 0)
		return fail(STEP_MAKE_DEVICE_NODE, rec->index, errno, parent);
	/* A node the image ships at that path is replaced, as the spec's node must be what the config says. */
	if (unlinkat(parentfd, slash + 1, 0) < 0 && errno != ENOENT)
		goto failed;
	if (mknodat(parentfd, slash + 1, (mode_t)plan_u64(rec, 1) | mode,
		    makedev((unsigned int)plan_u64(rec, 2), (unsigned int)plan_u64(rec, 3))) < 0)
		goto failed;
	/* mknod applies the umask: set the mode exactly, then the owner. */
	if (fchmodat(parentfd, slash + 1, mode, 0) < 0 ||
	    fchownat(parentfd, slash + 1, (uid_t)plan_u64(rec, 5), (gid_t)plan_u64(rec, 6), AT_SYMLINK_NOFOLLOW) < 0)
		goto failed;
	close(parentfd);
	return 0;
failed:
	saved = errno;
	close(parentfd);
	return fail(STEP_MAKE_DEVICE_NODE, rec->index, saved, path);
}

int make_device_nodes(const struct plan *plan, int rootfd)
{
	for (const struct plan_record *rec = plan_find(plan, TAG_MKNOD); rec != NULL; rec = plan_next(plan, rec, TAG_MKNOD))
		if (make_node(rec, rootfd) < 0)
			return -1;
	return 0;
}
