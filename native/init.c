/* The container init, from clone to execve: a flat checklist run in plan
 * order. Each step states what it needs; any failure returns -1 with the
 * failure record filled in, and main.c sends it to the shim. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

/* The init's pid as the host sees it (from MSG_PARENT_DONE), for hooks. */
static pid_t host_pid;

static int set_names(const struct plan *plan)
{
	const struct plan_record *rec;

	if ((rec = plan_find(plan, TAG_HOSTNAME)) != NULL && sethostname(plan_str(rec, 0), rec->fields[0].len) < 0)
		return fail(STEP_SET_HOSTNAME, rec->index, errno, plan_str(rec, 0));
	if ((rec = plan_find(plan, TAG_DOMAINNAME)) != NULL && setdomainname(plan_str(rec, 0), rec->fields[0].len) < 0)
		return fail(STEP_SET_DOMAINNAME, rec->index, errno, plan_str(rec, 0));
	return 0;
}

/* A new network namespace starts with lo down; most programs expect it up. */
static int bring_loopback_up(const struct plan *plan)
{
	struct ifreq ifr;
	int sock;

	if (plan_find(plan, TAG_LOOPBACK_UP) == NULL)
		return 0;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || ioctl(sock, SIOCGIFFLAGS, &ifr) < 0)
		return fail(STEP_LOOPBACK_UP, 0, errno, "lo");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0)
		return fail(STEP_LOOPBACK_UP, 0, errno, "lo");
	close(sock);
	return 0;
}

static int set_oom_score_adj(const struct plan *plan)
{
	const struct plan_record *rec = plan_find(plan, TAG_OOM_SCORE_ADJ);
	char text[24];
	int fd, len;

	if (rec == NULL)
		return 0;
	len = snprintf(text, sizeof(text), "%d", (int)(int64_t)plan_u64(rec, 0));
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, text, (size_t)len) != len)
		return fail(STEP_SET_OOM_SCORE_ADJ, rec->index, errno, "/proc/self/oom_score_adj");
	close(fd);
	return 0;
}

/* The shim blocked signals for its signalfd and ignores SIGPIPE: the
 * container process must start with defaults. */
static void reset_signals(void)
{
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL); /* EINVAL for SIGKILL, SIGSTOP: nothing to reset */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* 0 when execve could run it, else the errno it would fail with. */
static int executable_error(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return errno;
	return S_ISREG(st.st_mode) && (st.st_mode & 0111) != 0 ? 0 : EACCES;
}

/* execvp's search, done before create returns so that a command missing from
 * the rootfs fails create, which its caller sees, rather than the process
 * after start, which nobody may be watching. Names relative to the working
 * directory are left to execvp. */
static int check_executable(const struct plan *plan)
{
	const struct plan_record *args = plan_find(plan, TAG_ARGS), *env = plan_find(plan, TAG_ENV);
	const char *name = plan_str(args, 0), *path = "/bin:/usr/bin";
	char candidate[PATH_MAX];
	int err = ENOENT;

	if (plan_find(plan, TAG_CHECK_EXECUTABLE) == NULL)
		return 0;
	if (name[0] == '/')
		return (err = executable_error(name)) == 0 ? 0 : fail(STEP_EXEC, args->index, err, name);
	if (strchr(name, '/') != NULL || name[0] == '\0')
		return 0;
	for (uint32_t i = 0; env != NULL && i < env->nfields; i++)
		if (strncmp(plan_str(env, i), "PATH=", 5) == 0)
			path = plan_str(env, i) + 5;
	while (*path != '\0') {
		size_t len = strcspn(path, ":");
		int n = snprintf(candidate, sizeof(candidate), "%.*s/%s", (int)(len == 0 ? 1 : len), len == 0 ? "." : path, name);

		if (n > 0 && (size_t)n < sizeof(candidate)) {
			int found = executable_error(candidate);

			if (found == 0)
				return 0;
			/* As execvp: a file it may not run wins over one that is missing. */
			if (found == EACCES)
				err = EACCES;
		}
		path += len + (path[len] == ':');
	}
	return fail(STEP_EXEC, args->index, err, name);
}

static int exec_process(const struct plan *plan)
{
	static char *argv[4096], *envp[4096];
	const struct plan_record *args = plan_find(plan, TAG_ARGS), *env = plan_find(plan, TAG_ENV);
	uint32_t i;

	for (i = 0; i < args->nfields && i < 4095; i++)
		argv[i] = (char *)plan_str(args, i);
	argv[i] = NULL;
	for (i = 0; env != NULL && i < env->nfields && i < 4095; i++)
		envp[i] = (char *)plan_str(env, i);
	envp[i] = NULL;
	/* execvp searches the PATH of environ, which must be the container's. */
	environ = envp;
	execvp(argv[0], argv);
	return fail(STEP_EXEC, args->index, errno, argv[0]);
}

static int enter_rootfs(const struct plan *plan, int sync_fd, int *slave_fd)
{
	int rootfd = -1;

	if (plan_find(plan, TAG_ROOTFS) == NULL)
		return 0;
	if (make_root_slave() < 0 || attach_rootfs_overlay(plan) < 0 || bind_rootfs(plan, &rootfd) < 0)
		return -1;
	/* Mounts first, then what lives on them: symlinks and the console in
	 * /dev, the working directory, masks and read-only paths in /proc; the
	 * rootfs turns read-only last so every target could be created. */
	if (ensure_dirs(plan, rootfd, 0) < 0 || mount_entries(plan, rootfd) < 0 || make_device_nodes(plan, rootfd) < 0 ||
	    create_symlinks(plan, rootfd) < 0 || make_cwd(plan, rootfd, 0) < 0 || write_sysctls(plan, rootfd) < 0 ||
	    open_console(plan, rootfd, sync_fd, slave_fd) < 0 || mask_paths(plan, rootfd) < 0 ||
	    make_paths_readonly(plan, rootfd) < 0 || make_rootfs_readonly(plan, rootfd) < 0)
		return -1;
	/* The spec: after the mounts, before pivot_root, paths resolved on the host. */
	if (run_hooks(plan, HOOK_CREATE_CONTAINER, host_pid) < 0)
		return -1;
	if (pivot_to_rootfs(plan, rootfd) < 0)
		return -1;
	close(rootfd);
	return 0;
}

/* Before pivot_root, while the host's /proc is at hand; see wait_for_start. */
static int open_own_fd_dir(const struct plan *plan, int *fd_dir)
{
	*fd_dir = -1;
	if (plan_find(plan, TAG_EXEC_FIFO) == NULL)
		return 0;
	*fd_dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd_dir < 0)
		return fail(STEP_WAIT_FOR_START, 0, errno, "/proc/self/fd");
	return 0;
}

/* A takeover's container must not outlive its monitor: the monitor's pid
 * holds the container's ID range, and nobody else would remove its files.
 * Set once the ids changed, which clear it; then, if the monitor died
 * before, its end of the sync socket is closed already. */
static int die_with_monitor(const struct plan *plan, int sync_fd)
{
	struct pollfd hangup = { sync_fd, POLLIN, 0 };

	if (plan_find(plan, TAG_DIE_WITH_MONITOR) == NULL)
		return 0;
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		return fail(STEP_DIE_WITH_MONITOR, 0, errno, "PR_SET_PDEATHSIG");
	if (poll(&hangup, 1, 0) > 0 && (hangup.revents & POLLHUP))
		_exit(137);
	return 0;
}

int run_container_init(const struct plan *plan, int sync_fd)
{
	const struct plan_record *cwd = plan_find(plan, TAG_CWD);
	int slave_fd = -1, fd_dir;

	/* Nothing before the parent's part: files created without the maps would
	 * belong to the overflow id, and a process outside its cgroup would run
	 * unlimited. */
	int32_t pid_value = 0;

	if (receive_prepared_mounts(sync_fd, &pid_value) < 0)
		return -1;
	host_pid = (pid_t)pid_value;
	/* Only now is the init in its cgroup, which the namespace then shows as /. */
	if (join_cgroupns_fd >= 0 && setns(join_cgroupns_fd, CLONE_NEWCGROUP) < 0)
		return fail(STEP_JOIN_NAMESPACE, 0, errno, "cgroup namespace");
	/* Before the setup ids: changing ids makes the init non-dumpable, and
	 * its /proc/self/timens_offsets then belongs to host root. */
	if (enter_time_namespace(plan) < 0 || set_setup_ids(plan) < 0 || open_own_fd_dir(plan, &fd_dir) < 0)
		return -1;
	if (enter_rootfs(plan, sync_fd, &slave_fd) < 0)
		return -1;
	/* Without a rootfs of its own (exec) the process uses the joined mount
	 * namespace's /dev/pts. */
	if (plan_find(plan, TAG_ROOTFS) == NULL && open_console(plan, -1, sync_fd, &slave_fd) < 0)
		return -1;
	if (set_names(plan) < 0 || bring_loopback_up(plan) < 0 || set_personality(plan) < 0)
		return -1;
	/* rlimits and oom_score_adj while still privileged in the namespace. */
	if (apply_rlimits(plan) < 0 || set_oom_score_adj(plan) < 0)
		return -1;
	if (plan_find(plan, TAG_NEW_SESSION) != NULL && setsid() < 0)
		return fail(STEP_NEW_SESSION, 0, errno, "setsid");
	if (attach_console(slave_fd) < 0)
		return -1;
	/* Everything but who the process is happens before create returns; the
	 * filter comes after the wait and the hooks, whose syscalls it might refuse. */
	if (check_executable(plan) < 0 || wait_for_start(plan, sync_fd, fd_dir) < 0 || run_hooks(plan, HOOK_START_CONTAINER, host_pid) < 0)
		return -1;
	/* Only 0-2, the preserved fds and the sync socket (close-on-exec) may
	 * reach the process. Before any filter: profiles older than close_range
	 * refuse it. */
	if (syscall(SYS_close_range, 3 + preserved_fd_count(plan), ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return fail(STEP_CLOSE_FDS, 0, errno, "close_range");
	if (load_seccomp(plan, SECCOMP_PHASE_BEFORE_IDENTITY) < 0 || set_identity(plan) < 0)
		return -1;
	/* As the final user, so the directory's permissions apply to it. */
	if (cwd != NULL && chdir(plan_str(cwd, 0)) < 0)
		return fail(STEP_CHDIR, cwd->index, errno, plan_str(cwd, 0));
	if (die_with_monitor(plan, sync_fd) < 0)
		return -1;
	reset_signals();
	if (load_seccomp(plan, SECCOMP_PHASE_BEFORE_EXEC) < 0)
		return -1;
	return exec_process(plan);
}
