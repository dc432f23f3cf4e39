/* isola-shim: executes a launch plan that TypeScript resolved completely.
 *
 *   isola (Node) --plan on fd 3--> shim --clone3--> container init --execve-->
 *
 * fd 3 is a socket to TypeScript: it carries the plan in (u32 length + bytes)
 * and fixed-size reports out (report.h). The shim never prints: stdio belongs
 * to the container. */
#include "shim.h"
#include "fsops.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define REPORT_FD 3

static int read_plan(struct plan *plan)
{
	unsigned char header[4];
	uint32_t size, bad_index;
	char *buffer;

	if (read_exact(REPORT_FD, header, sizeof(header)) < 0)
		return fail(STEP_READ_PLAN, 0, errno, "plan length");
	size = (uint32_t)header[0] | (uint32_t)header[1] << 8 | (uint32_t)header[2] << 16 | (uint32_t)header[3] << 24;
	if (size > PLAN_MAX_BYTES)
		return fail(STEP_READ_PLAN, 0, E2BIG, "plan");
	buffer = malloc(size ? size : 1);
	if (buffer == NULL)
		return fail(STEP_READ_PLAN, 0, ENOMEM, "plan");
	if (read_exact(REPORT_FD, buffer, size) < 0)
		return fail(STEP_READ_PLAN, 0, errno, "plan");
	if (plan_decode(plan, buffer, size, &bad_index) < 0)
		return fail(STEP_DECODE_PLAN, bad_index, EINVAL, "plan record");
	if (plan_find(plan, TAG_ARGS) == NULL)
		return fail(STEP_DECODE_PLAN, 0, EINVAL, "plan has no args");
	return 0;
}

/* Signals to forward to the container, and SIGCHLD for its exit, arrive on a
 * signalfd; they are blocked before clone so none is lost in between. */
static int open_signalfd(void)
{
	static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCHLD };
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(&set, forwarded[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC);
}

static pid_t clone_container(const struct plan *plan)
{
	struct clone_args args;

	memset(&args, 0, sizeof(args));
	args.flags = plan_u64(plan_find(plan, TAG_NAMESPACES), 0);
	args.exit_signal = SIGCHLD;
	return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

static int launch(const struct plan *plan)
{
	struct launch_fds fds;
	int sync[2], sigfd;
	pid_t pid;

	if (check_preserved_fds(plan) < 0 || detach_prepare(plan) < 0 || precreate_targets(plan) < 0 ||
	    prepare_launch(plan, &fds) < 0 || join_namespaces(plan) < 0)
		return -1;
	if ((sigfd = open_signalfd()) < 0 || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sync) < 0)
		return fail(STEP_CLONE, 0, errno, "socketpair");
	pid = clone_container(plan);
	if (pid < 0)
		return fail(STEP_CLONE, 0, errno, "clone3");
	if (pid == 0) {
		close(sync[0]);
		close(sigfd);
		close(REPORT_FD);
		if (place_preserved_fds(plan) < 0 || detach_attach_stdio() < 0 || run_container_init(plan, sync[1]) < 0)
			send_failure(sync[1]);
		_exit(125);
	}
	close(sync[1]);
	close_preserved_fds(plan);
	detach_close_child_ends();
	if (send_message(REPORT_FD, MSG_CHILD_PID, pid) < 0 || write_id_maps(plan, pid) < 0 ||
	    prepare_mounts(plan, pid, sync[0]) < 0 || join_cgroups(&fds, pid) < 0 || send_message(sync[0], MSG_PARENT_DONE, pid) < 0) {
		int saved = errno;
		kill(pid, SIGKILL);
		TEMP_FAILURE_RETRY_INT(waitpid(pid, NULL, 0));
		errno = saved;
		return -1;
	}
	return monitor_container(plan, &fds, pid, sync[0], REPORT_FD, sigfd);
}

int main(int argc, char **argv)
{
	struct plan plan;
	int status;

	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("isola-shim plan version %d\n", PLAN_VERSION);
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "fsops") == 0)
		return run_fsops();
	/* TypeScript may be gone when we report; a write error is enough. */
	signal(SIGPIPE, SIG_IGN);
	if (read_plan(&plan) < 0 || (status = launch(&plan)) < 0) {
		send_failure(REPORT_FD);
		return 125;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
