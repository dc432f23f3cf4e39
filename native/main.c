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

/* Where reports go: fd 3, or /dev/null for a takeover (nobody reads them). */
static int report_fd = REPORT_FD;

/* fd 3 of a spawned shim: the plan in, as u32 length + bytes. */
static char *read_plan_from_socket(size_t *size)
{
	unsigned char header[4];
	char *buffer;

	if (read_exact(report_fd, header, sizeof(header)) < 0) {
		fail(STEP_READ_PLAN, 0, errno, "plan length");
		return NULL;
	}
	*size = (uint32_t)header[0] | (uint32_t)header[1] << 8 | (uint32_t)header[2] << 16 | (uint32_t)header[3] << 24;
	if (*size > PLAN_MAX_BYTES) {
		fail(STEP_READ_PLAN, 0, E2BIG, "plan");
		return NULL;
	}
	buffer = malloc(*size ? *size : 1);
	if (buffer == NULL) {
		fail(STEP_READ_PLAN, 0, ENOMEM, "plan");
		return NULL;
	}
	if (read_exact(report_fd, buffer, *size) < 0) {
		fail(STEP_READ_PLAN, 0, errno, "plan");
		free(buffer);
		return NULL;
	}
	return buffer;
}

static int read_plan(struct plan *plan, const char *plan_file)
{
	uint32_t bad_index;
	size_t size = 0;
	char *buffer = plan_file == NULL ? read_plan_from_socket(&size) : takeover_read_plan(plan_file, &size);

	if (buffer == NULL)
		return -1;
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
		close(report_fd);
		if (place_preserved_fds(plan) < 0 || detach_attach_stdio() < 0 || run_container_init(plan, sync[1]) < 0)
			send_failure(sync[1]);
		_exit(125);
	}
	close(sync[1]);
	close_preserved_fds(plan);
	detach_close_child_ends();
	if (send_message(report_fd, MSG_CHILD_PID, pid) < 0 || write_id_maps(plan, pid) < 0 ||
	    prepare_mounts(plan, pid, sync[0]) < 0 || join_cgroups(&fds, pid) < 0 || send_message(sync[0], MSG_PARENT_DONE, pid) < 0) {
		int saved = errno;
		kill(pid, SIGKILL);
		TEMP_FAILURE_RETRY_INT(waitpid(pid, NULL, 0));
		errno = saved;
		return -1;
	}
	return monitor_container(plan, &fds, pid, sync[0], report_fd, sigfd);
}

/* A takeover's end: the caller's cleanup, then its failure command or status. */
static int finish_takeover(const struct plan *plan, int status)
{
	if (plan != NULL)
		takeover_remove_paths(plan);
	if (status >= 0)
		return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
	takeover_exec_failure(plan);
	/* No command to explain it (or it cannot run): one line, as isola would. */
	fprintf(stderr, "isola: the container failed to start (shim step %u: %s)\n", failure.step, strerror(failure.err));
	return 125;
}

int main(int argc, char **argv)
{
	struct plan plan;
	const char *plan_file = NULL;
	int status, is_read;

	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("isola-shim plan version %d\n", PLAN_VERSION);
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "fsops") == 0)
		return run_fsops();
	if (argc > 2 && strcmp(argv[1], "--plan-file") == 0) {
		plan_file = argv[2];
		report_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	}
	/* TypeScript may be gone when we report; a write error is enough. */
	signal(SIGPIPE, SIG_IGN);
	is_read = read_plan(&plan, plan_file) == 0;
	status = !is_read || (plan_file != NULL && takeover_prepare_stdin(&plan) < 0) ? -1 : launch(&plan);
	if (plan_file != NULL)
		return finish_takeover(is_read ? &plan : NULL, status);
	if (status < 0) {
		send_failure(report_fd);
		return 125;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
