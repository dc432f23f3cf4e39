/* `isola-shim --plan-file PATH`: the shim takes over the pid of the isola
 * that exec'd it, for a foreground run. Nobody reads reports then; what the
 * caller would have done afterwards comes in the plan: the paths to remove
 * once the container is gone, and the command to exec when the launch fails
 * (it explains the failure; only without one does main.c print a line). */
#include "shim.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads and removes the plan file: it is the caller's hand-over, used once. */
char *takeover_read_plan(const char *path, size_t *size)
{
	struct stat st;
	char *buffer;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0 || fstat(fd, &st) < 0) {
		fail(STEP_READ_PLAN, 0, errno, path);
		goto failed;
	}
	if (st.st_size > (off_t)PLAN_MAX_BYTES) {
		fail(STEP_READ_PLAN, 0, E2BIG, path);
		goto failed;
	}
	*size = (size_t)st.st_size;
	buffer = malloc(*size ? *size : 1);
	if (buffer == NULL || read_exact(fd, buffer, *size) < 0) {
		fail(STEP_READ_PLAN, 0, buffer == NULL ? ENOMEM : errno, path);
		free(buffer);
		goto failed;
	}
	close(fd);
	unlink(path);
	return buffer;
failed:
	if (fd >= 0)
		close(fd);
	unlink(path);
	return NULL;
}

/* A non-interactive container reads /dev/null, as a spawned shim's would. */
int takeover_prepare_stdin(const struct plan *plan)
{
	int fd;

	if (plan_find(plan, TAG_STDIN_NULL) == NULL)
		return 0;
	/* Not close-on-exec: with stdin closed, open returns 0 itself. */
	fd = open("/dev/null", O_RDONLY);
	if (fd < 0 || dup2(fd, STDIN_FILENO) < 0)
		return fail(STEP_READ_PLAN, 0, errno, "/dev/null");
	if (fd != STDIN_FILENO)
		close(fd);
	return 0;
}

/* Removes `name` under `dirfd` with everything in it, never following a
 * symlink (the container may have left any in its upper directory): each
 * directory is opened relative to its parent with O_NOFOLLOW. What is gone,
 * or cannot be removed, is left as it is. */
static void remove_tree_at(int dirfd, const char *name)
{
	struct dirent *entry;
	DIR *dir;
	int fd;

	if (unlinkat(dirfd, name, 0) == 0 || errno != EISDIR)
		return;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	dir = fdopendir(fd);
	if (dir == NULL) {
		close(fd);
		return;
	}
	while ((entry = readdir(dir)) != NULL) {
		if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0)
			remove_tree_at(fd, entry->d_name);
	}
	closedir(dir);
	unlinkat(dirfd, name, AT_REMOVEDIR);
}

void takeover_remove_paths(const struct plan *plan)
{
	for (const struct plan_record *rec = plan_find(plan, TAG_REMOVE_AT_EXIT); rec != NULL;
	     rec = plan_next(plan, rec, TAG_REMOVE_AT_EXIT)) {
		for (uint32_t i = 0; i < rec->nfields; i++)
			remove_tree_at(AT_FDCWD, plan_str(rec, i));
	}
}

/* Execs the failure command with the failure report as its last argument,
 * in hex. Returns only when there is none or it cannot run. */
void takeover_exec_failure(const struct plan *plan)
{
	static const char digits[] = "0123456789abcdef";
	const struct plan_record *cmd = plan == NULL ? NULL : plan_find(plan, TAG_FAILURE_COMMAND);
	char hex[2 * sizeof(failure) + 1];
	const unsigned char *bytes = (const unsigned char *)&failure;
	char *argv[66];
	uint32_t n = 0;

	if (cmd == NULL)
		return;
	for (size_t i = 0; i < sizeof(failure); i++) {
		hex[2 * i] = digits[bytes[i] >> 4];
		hex[2 * i + 1] = digits[bytes[i] & 15];
	}
	hex[sizeof(hex) - 1] = '\0';
	for (; n < cmd->nfields && n < 64; n++)
		argv[n] = (char *)plan_str(cmd, n);
	argv[n++] = hex;
	argv[n] = NULL;
	execv(argv[0], argv);
}
