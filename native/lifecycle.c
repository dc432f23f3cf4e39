/* What the OCI create/start split and `exec` need from the shim: the exec
 * fifo the init blocks on, the pid file, a console socket that receives the
 * pty master, and joining existing namespaces. Everything that names a host
 * path is opened before any setns, because joining a mount namespace changes
 * what paths mean. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int exec_fifo_fd = -1;
int join_cgroupns_fd = -1;

#define MAX_JOINED 16

static int make_exec_fifo(const struct plan *plan)
{
	const struct plan_record *rec = plan_find(plan, TAG_EXEC_FIFO);

	if (rec == NULL)
		return 0;
	/* 0622 past the umask: whoever runs `start` opens it for reading, the
	 * init, in its own user namespace, for writing. */
	if (mknod(plan_str(rec, 0), S_IFIFO | 0622, 0) < 0)
		return fail(STEP_MAKE_EXEC_FIFO, rec->index, errno, plan_str(rec, 0));
	exec_fifo_fd = open(plan_str(rec, 0), O_PATH | O_CLOEXEC);
	if (exec_fifo_fd < 0 || chmod(plan_str(rec, 0), 0622) < 0)
		return fail(STEP_MAKE_EXEC_FIFO, rec->index, errno, plan_str(rec, 0));
	return 0;
}

static int open_pid_dir(const struct plan *plan, struct launch_fds *fds)
{
	const struct plan_record *rec = plan_find(plan, TAG_PID_FILE);
	static char dir[PATH_MAX];
	const char *slash;

	if (rec == NULL)
		return 0;
	slash = strrchr(plan_str(rec, 0), '/');
	if (slash == NULL || slash[1] == '\0' || (size_t)(slash - plan_str(rec, 0)) >= sizeof(dir))
		return fail(STEP_WRITE_PID_FILE, rec->index, EINVAL, plan_str(rec, 0));
	memcpy(dir, plan_str(rec, 0), (size_t)(slash - plan_str(rec, 0)));
	dir[slash - plan_str(rec, 0)] = '\0';
	fds->pid_dir = open(dir[0] ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fds->pid_dir < 0)
		return fail(STEP_WRITE_PID_FILE, rec->index, errno, dir);
	fds->pid_name = slash + 1;
	fds->pid_index = rec->index;
	return 0;
}

static int connect_console_socket(const struct plan *plan, struct launch_fds *fds)
{
	const struct plan_record *rec = plan_find(plan, TAG_CONSOLE_SOCKET);
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	if (rec == NULL)
		return 0;
	if (rec->fields[0].len >= sizeof(addr.sun_path))
		return fail(STEP_CONSOLE_SOCKET, rec->index, ENAMETOOLONG, plan_str(rec, 0));
	memcpy(addr.sun_path, plan_str(rec, 0), rec->fields[0].len);
	fds->console_sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fds->console_sock < 0 ||
	    TEMP_FAILURE_RETRY_INT(connect(fds->console_sock, (struct sockaddr *)&addr, sizeof(addr))) < 0)
		return fail(STEP_CONSOLE_SOCKET, rec->index, errno, plan_str(rec, 0));
	return 0;
}

static int open_cgroup_procs(const struct plan *plan, struct launch_fds *fds)
{
	const struct plan_record *rec = plan_find(plan, TAG_CGROUP_PROCS);

	fds->procs = rec;
	for (uint32_t i = 0; rec != NULL && i < rec->nfields; i++) {
		if (i >= MAX_CGROUP_FILES)
			return fail(STEP_JOIN_CGROUP, rec->index, E2BIG, plan_str(rec, i));
		fds->procs_fds[i] = open(plan_str(rec, i), O_WRONLY | O_CLOEXEC);
		if (fds->procs_fds[i] < 0)
			return fail(STEP_JOIN_CGROUP, rec->index, errno, plan_str(rec, i));
	}
	return 0;
}

int prepare_launch(const struct plan *plan, struct launch_fds *fds)
{
	memset(fds, 0, sizeof(*fds));
	fds->pid_dir = -1;
	fds->console_sock = -1;
	if (make_exec_fifo(plan) < 0 || open_pid_dir(plan, fds) < 0 || connect_console_socket(plan, fds) < 0 ||
	    open_cgroup_procs(plan, fds) < 0)
		return -1;
	return 0;
}

/* The init is written from the shim while it waits for MSG_PARENT_DONE. The
 * files were opened before any setns: the kernel checks the opener's
 * credentials, and a joined mount namespace may not show the host's cgroups. */
int join_cgroups(const struct launch_fds *fds, pid_t pid)
{
	char text[16];
	int len = snprintf(text, sizeof(text), "%d", (int)pid);

	for (uint32_t i = 0; fds->procs != NULL && i < fds->procs->nfields; i++) {
		ssize_t n = TEMP_FAILURE_RETRY_INT(write(fds->procs_fds[i], text, (size_t)len));
		if (n != len)
			return fail(STEP_JOIN_CGROUP, fds->procs->index, n < 0 ? errno : EIO, plan_str(fds->procs, i));
	}
	return 0;
}

/* Written to a temporary name and renamed, so a reader never sees a partial
 * pid (containerd reads it as soon as create returns). */
int write_pid_file(const struct launch_fds *fds, pid_t pid)
{
	char tmp[NAME_MAX + 1], text[16];
	int fd, len, n;

	if (fds->pid_dir < 0)
		return 0;
	n = snprintf(tmp, sizeof(tmp), ".%s.tmp", fds->pid_name);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return fail(STEP_WRITE_PID_FILE, fds->pid_index, ENAMETOOLONG, fds->pid_name);
	len = snprintf(text, sizeof(text), "%d", (int)pid);
	fd = openat(fds->pid_dir, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return fail(STEP_WRITE_PID_FILE, fds->pid_index, errno, fds->pid_name);
	if (TEMP_FAILURE_RETRY_INT(write(fd, text, (size_t)len)) != len) {
		int err = errno;
		close(fd);
		return fail(STEP_WRITE_PID_FILE, fds->pid_index, err, fds->pid_name);
	}
	close(fd);
	if (renameat(fds->pid_dir, tmp, fds->pid_dir, fds->pid_name) < 0)
		return fail(STEP_WRITE_PID_FILE, fds->pid_index, errno, fds->pid_name);
	return 0;
}

/* As runc does: the pty's name as the payload, the master as SCM_RIGHTS;
 * conmon and containerd read the fd and ignore or log the name. */
int send_console_to_socket(const struct launch_fds *fds, int master)
{
	char name[32];
	unsigned int number = 0;
	char control[CMSG_SPACE(sizeof(int))];
	struct iovec iov;
	struct msghdr hdr = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof(control) };
	struct cmsghdr *cmsg;
	int len;

	if (ioctl(master, TIOCGPTN, &number) < 0)
		return fail(STEP_CONSOLE_SOCKET, 0, errno, "TIOCGPTN");
	len = snprintf(name, sizeof(name), "/dev/pts/%u", number);
	iov.iov_base = name;
	iov.iov_len = (size_t)len;
	memset(control, 0, sizeof(control));
	cmsg = CMSG_FIRSTHDR(&hdr);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &master, sizeof(int));
	if (TEMP_FAILURE_RETRY_INT(sendmsg(fds->console_sock, &hdr, MSG_NOSIGNAL)) != len)
		return fail(STEP_CONSOLE_SOCKET, 0, errno, "console socket");
	return 0;
}

/* All namespace files are opened first (usually the namespace links in /proc/PID/ns of
 * the host's /proc). The user namespace is joined first: joining the others
 * needs CAP_SYS_ADMIN in the user namespace that owns them. The cgroup
 * namespace is left to the init, after the shim has moved it into its
 * cgroup, since a process inside a cgroup namespace cannot name cgroups
 * outside it. A joined pid namespace applies to the init, the next child. */
int join_namespaces(const struct plan *plan)
{
	const struct plan_record *recs[MAX_JOINED];
	int fds[MAX_JOINED];
	size_t n = 0;

	for (const struct plan_record *rec = plan_find(plan, TAG_JOIN_NAMESPACE); rec != NULL;
	     rec = plan_next(plan, rec, TAG_JOIN_NAMESPACE)) {
		if (n == MAX_JOINED)
			return fail(STEP_JOIN_NAMESPACE, rec->index, E2BIG, plan_str(rec, 1));
		fds[n] = open(plan_str(rec, 1), O_RDONLY | O_CLOEXEC);
		if (fds[n] < 0)
			return fail(STEP_JOIN_NAMESPACE, rec->index, errno, plan_str(rec, 1));
		recs[n++] = rec;
	}
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			int flag = (int)plan_u64(recs[i], 0);

			if ((pass == 0) != (flag == CLONE_NEWUSER))
				continue;
			if (flag == CLONE_NEWCGROUP) {
				join_cgroupns_fd = fds[i];
				continue;
			}
			if (setns(fds[i], flag) < 0)
				return fail(STEP_JOIN_NAMESPACE, recs[i]->index, errno, plan_str(recs[i], 1));
			close(fds[i]);
		}
	}
	return 0;
}

/* The init's side of the create/start split: tell the shim that setup is
 * done, then block opening the fifo for writing until `start` opens it for
 * reading. The fifo is reopened through /proc/self/fd of the host's /proc,
 * opened before pivot_root, so it works whatever the rootfs mounts. */
int wait_for_start(const struct plan *plan, int sync_fd, int fd_dir)
{
	const struct plan_record *rec = plan_find(plan, TAG_EXEC_FIFO);
	char name[16];
	int fd;

	if (rec == NULL)
		return 0;
	if (send_message(sync_fd, MSG_CREATED, 0) < 0)
		return fail(STEP_SYNC, rec->index, errno, "sync socket");
	snprintf(name, sizeof(name), "%d", exec_fifo_fd);
	fd = (int)TEMP_FAILURE_RETRY_INT(openat(fd_dir, name, O_WRONLY | O_CLOEXEC));
	if (fd < 0)
		return fail(STEP_WAIT_FOR_START, rec->index, errno, plan_str(rec, 0));
	if (TEMP_FAILURE_RETRY_INT(write(fd, "0", 1)) != 1)
		return fail(STEP_WAIT_FOR_START, rec->index, errno, plan_str(rec, 0));
	close(fd);
	close(fd_dir);
	close(exec_fifo_fd);
	return 0;
}
