/* Writes the container's ID maps from the shim, the parent of the clone, as
 * the plan says: directly to /proc/PID/{setgroups,uid_map,gid_map}, or through
 * the setuid newuidmap/newgidmap helpers when the caller may not map the ids
 * itself. The kernel accepts exactly one write per map file. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAP_TEXT_BYTES (340 * 36)
#define HELPER_MAX_ARGS (340 * 3 + 3)

static int write_proc_file(pid_t pid, const char *name, const char *text, size_t len, uint32_t step, uint32_t index)
{
	char path[64];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(step, index, errno, path);
	n = TEMP_FAILURE_RETRY_INT(write(fd, text, len));
	if (n != (ssize_t)len) {
		int err = n < 0 ? errno : EIO;
		close(fd);
		return fail(step, index, err, path);
	}
	close(fd);
	return 0;
}

static int write_map_direct(const struct plan_record *map, pid_t pid, const char *file, uint32_t step)
{
	static char text[MAP_TEXT_BYTES];
	size_t len = 0;

	for (uint32_t i = 0; i + 2 < map->nfields; i += 3) {
		int n = snprintf(text + len, sizeof(text) - len, "%" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
				 plan_u64(map, i), plan_u64(map, i + 1), plan_u64(map, i + 2));
		if (n < 0 || (size_t)n >= sizeof(text) - len)
			return fail(step, map->index, E2BIG, file);
		len += (size_t)n;
	}
	return write_proc_file(pid, file, text, len, step, map->index);
}

/* Runs `helper PID inside outside count ...`; its stderr becomes the detail
 * of the failure, since it says why (e.g. the range is not in /etc/subuid). */
static int run_map_helper(const char *helper, const struct plan_record *map, pid_t pid, uint32_t step)
{
	static char numbers[HELPER_MAX_ARGS][24];
	static char *argv[HELPER_MAX_ARGS + 1];
	char output[MSG_DETAIL_BYTES];
	int pipefd[2], status, argc = 0;
	ssize_t got = 0, n;
	pid_t child;

	argv[argc++] = (char *)helper;
	snprintf(numbers[0], sizeof(numbers[0]), "%d", (int)pid);
	argv[argc++] = numbers[0];
	for (uint32_t i = 0; i < map->nfields && argc < HELPER_MAX_ARGS; i++) {
		snprintf(numbers[argc], sizeof(numbers[argc]), "%" PRIu64, plan_u64(map, i));
		argv[argc] = numbers[argc];
		argc++;
	}
	argv[argc] = NULL;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return fail(step, map->index, errno, helper);
	child = fork();
	if (child < 0)
		return fail(step, map->index, errno, helper);
	if (child == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		execv(helper, argv);
		_exit(127);
	}
	close(pipefd[1]);
	while (got < (ssize_t)sizeof(output) - 1 &&
	       (n = TEMP_FAILURE_RETRY_INT(read(pipefd[0], output + got, sizeof(output) - 1 - (size_t)got))) > 0)
		got += n;
	output[got] = '\0';
	close(pipefd[0]);
	if (TEMP_FAILURE_RETRY_INT(waitpid(child, &status, 0)) < 0)
		return fail(step, map->index, errno, helper);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && got == 0)
		return fail(step, map->index, ENOENT, helper);
	return fail(step, map->index, EPERM, got > 0 ? output : helper);
}

int write_id_maps(const struct plan *plan, pid_t pid)
{
	const struct plan_record *writer = plan_find(plan, TAG_MAP_WRITER);
	const struct plan_record *uid_map = plan_find(plan, TAG_UID_MAP);
	const struct plan_record *gid_map = plan_find(plan, TAG_GID_MAP);

	if (writer == NULL || uid_map == NULL || gid_map == NULL)
		return 0;
	if (plan_u64(writer, 0) == MAP_WRITER_HELPER) {
		if (run_map_helper(plan_str(writer, 2), uid_map, pid, STEP_RUN_NEWUIDMAP) < 0)
			return -1;
		return run_map_helper(plan_str(writer, 3), gid_map, pid, STEP_RUN_NEWGIDMAP);
	}
	/* An unprivileged writer may map its own gid only after denying
	 * setgroups (user_namespaces(7)); the plan says when. */
	if (plan_u64(writer, 1) && write_proc_file(pid, "setgroups", "deny", 4, STEP_WRITE_SETGROUPS, writer->index) < 0)
		return -1;
	if (write_map_direct(uid_map, pid, "uid_map", STEP_WRITE_UID_MAP) < 0)
		return -1;
	return write_map_direct(gid_map, pid, "gid_map", STEP_WRITE_GID_MAP);
}
