/* --preserve-fds N: the caller's fds 3..3+N-1 reach the container's process
 * as the same numbers. fd 3 of the shim is the report socket, so TypeScript
 * passes them one higher, as the shim's fds 4..4+N-1; every fd the shim opens
 * itself lands above them. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define FIRST_PASSED_FD 4

unsigned preserved_fd_count(const struct plan *plan)
{
	const struct plan_record *rec = plan_find(plan, TAG_PRESERVE_FDS);

	return rec == NULL ? 0 : (unsigned)plan_u64(rec, 0);
}

static int fail_fd(const struct plan *plan, int err, int fd)
{
	char detail[32];

	snprintf(detail, sizeof(detail), "fd %d", fd - 1);
	return fail(STEP_PRESERVE_FDS, plan_find(plan, TAG_PRESERVE_FDS)->index, err, detail);
}

/* Before clone: each one must be open, or the process would silently miss it. */
int check_preserved_fds(const struct plan *plan)
{
	unsigned count = preserved_fd_count(plan);

	for (unsigned i = 0; i < count; i++)
		if (fcntl(FIRST_PASSED_FD + (int)i, F_GETFD) < 0)
			return fail_fd(plan, errno, FIRST_PASSED_FD + (int)i);
	return 0;
}

/* In the init, once it closed the report socket: each moves down by one,
 * lowest first, so none overwrites one not yet moved; dup2 leaves the copy
 * without close-on-exec. */
int place_preserved_fds(const struct plan *plan)
{
	unsigned count = preserved_fd_count(plan);

	for (unsigned i = 0; i < count; i++)
		if (dup2(FIRST_PASSED_FD + (int)i, FIRST_PASSED_FD - 1 + (int)i) < 0)
			return fail_fd(plan, errno, FIRST_PASSED_FD + (int)i);
	if (count > 0 && close(FIRST_PASSED_FD - 1 + (int)count) < 0)
		return fail_fd(plan, errno, FIRST_PASSED_FD - 1 + (int)count);
	return 0;
}

/* In the monitor after clone: only the container keeps them (a listening
 * socket held by the monitor would outlive the container). */
void close_preserved_fds(const struct plan *plan)
{
	unsigned count = preserved_fd_count(plan);

	if (count > 0)
		syscall(SYS_close_range, FIRST_PASSED_FD, FIRST_PASSED_FD - 1 + count, 0);
}
