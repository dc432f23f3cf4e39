/* Kernel settings from config.json that are neither mounts nor identity:
 * sysctls, the personality, the time namespace, and the seccomp filter. The
 * plan says what and when (TypeScript compiled the filter and chose its
 * phase); these functions only make the calls. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Needs the container's /proc mounted and /proc/sys still writable, so it
 * runs after the mounts and before the read-only paths; the init is root in
 * the namespaces that own these keys (TypeScript allowed only those). */
int write_sysctls(const struct plan *plan, int rootfd)
{
	const struct plan_record *rec;

	for (rec = plan_find(plan, TAG_SYSCTL); rec != NULL; rec = plan_next(plan, rec, TAG_SYSCTL)) {
		int fd = open_in_root(rootfd, plan_str(rec, 0), O_WRONLY | O_TRUNC);
		ssize_t n = fd < 0 ? -1 : TEMP_FAILURE_RETRY_INT(write(fd, plan_str(rec, 1), rec->fields[1].len));
		int err = errno;

		if (fd >= 0)
			close(fd);
		if (n != (ssize_t)rec->fields[1].len)
			return fail(STEP_SET_SYSCTL, rec->index, n < 0 ? err : EIO, plan_str(rec, 0));
	}
	return 0;
}

int set_personality(const struct plan *plan)
{
	const struct plan_record *rec = plan_find(plan, TAG_PERSONALITY);

	if (rec != NULL && personality((unsigned long)plan_u64(rec, 0)) < 0)
		return fail(STEP_SET_PERSONALITY, rec->index, errno, "personality");
	return 0;
}

/* Offsets can be set only while no process is in the time namespace, so
 * the init unshares one (it becomes its children's), writes the offsets and
 * then joins it itself: it is single-threaded, which setns requires here.
 * Needs CAP_SYS_TIME and CAP_SYS_ADMIN in the user namespace, which the
 * init has from clone on, and to be dumpable to write its own /proc file:
 * run before any id change. */
int enter_time_namespace(const struct plan *plan)
{
	const struct plan_record *rec = plan_find(plan, TAG_TIME_OFFSETS);
	char text[128];
	int fd, len;

	if (rec == NULL)
		return 0;
	if (unshare(CLONE_NEWTIME) < 0)
		return fail(STEP_SET_TIME_OFFSETS, rec->index, errno, "unshare(CLONE_NEWTIME)");
	len = snprintf(text, sizeof(text), "monotonic %lld %lld\nboottime %lld %lld\n", (long long)(int64_t)plan_u64(rec, 0),
		       (long long)plan_u64(rec, 1), (long long)(int64_t)plan_u64(rec, 2), (long long)plan_u64(rec, 3));
	if (len < 0 || len >= (int)sizeof(text))
		return fail(STEP_SET_TIME_OFFSETS, rec->index, EOVERFLOW, "timens_offsets");
	fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, text, (size_t)len) != len)
		return fail(STEP_SET_TIME_OFFSETS, rec->index, errno, "/proc/self/timens_offsets");
	close(fd);
	fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWTIME) < 0)
		return fail(STEP_SET_TIME_OFFSETS, rec->index, errno, "/proc/self/ns/time_for_children");
	close(fd);
	return 0;
}

/* Loads the filter if the plan puts it in this phase. Without no_new_privs
 * the kernel wants CAP_SYS_ADMIN in the user namespace, so TypeScript puts
 * it before the identity change (the rest of the setup then runs under it);
 * with no_new_privs it goes last, right before execve. */
int load_seccomp(const struct plan *plan, uint64_t phase)
{
	const struct plan_record *rec = plan_find(plan, TAG_SECCOMP);
	struct sock_fprog prog;

	if (rec == NULL || plan_u64(rec, 1) != phase)
		return 0;
	prog.len = (unsigned short)(rec->fields[2].len / sizeof(struct sock_filter));
	prog.filter = (struct sock_filter *)(uintptr_t)plan_str(rec, 2);
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, (unsigned int)plan_u64(rec, 0), &prog) < 0)
		return fail(STEP_SECCOMP, rec->index, errno, "seccomp(SECCOMP_SET_MODE_FILTER)");
	return 0;
}
