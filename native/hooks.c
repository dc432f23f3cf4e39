/* OCI createContainer and startContainer hooks, which the runtime spec runs
 * in the container's namespaces: the init forks each one with the state on
 * stdin and waits for it, killing it once its timeout has passed. The state
 * is text TypeScript wrote, split where the init's host pid goes. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define HOOK_MAX_STRINGS 256

static void write_all(int fd, const char *text, size_t len)
{
	/* A hook that does not read its stdin is no failure: EPIPE is ignored
	 * (SIGPIPE is ignored since main) and so is anything short. */
	while (len > 0) {
		ssize_t n = TEMP_FAILURE_RETRY_INT(write(fd, text, len));
		if (n <= 0)
			return;
		text += n;
		len -= (size_t)n;
	}
}

/* Waits for the hook; 0 when it exited 0, else the failure is recorded. */
static int wait_for_hook(const struct plan_record *rec, pid_t child)
{
	static char detail[MSG_DETAIL_BYTES];
	uint64_t timeout_s = plan_u64(rec, 1);
	int pidfd = (int)syscall(SYS_pidfd_open, child, 0), status = 0, ready;
	struct pollfd pfd = { pidfd, POLLIN, 0 };

	if (pidfd >= 0 && timeout_s > 0) {
		ready = (int)TEMP_FAILURE_RETRY_INT(poll(&pfd, 1, (int)(timeout_s * 1000)));
		if (ready == 0) {
			kill(child, SIGKILL);
			TEMP_FAILURE_RETRY_INT(waitpid(child, NULL, 0));
			close(pidfd);
			return fail(STEP_RUN_HOOK, rec->index, ETIMEDOUT, plan_str(rec, 5));
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	if (TEMP_FAILURE_RETRY_INT(waitpid(child, &status, 0)) < 0)
		return fail(STEP_RUN_HOOK, rec->index, errno, plan_str(rec, 5));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	snprintf(detail, sizeof(detail), "%s %s %d", plan_str(rec, 5), WIFEXITED(status) ? "exited with" : "was killed by",
		 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return fail(STEP_RUN_HOOK, rec->index, WIFEXITED(status) && WEXITSTATUS(status) == 127 ? ENOENT : EIO, detail);
}

static int run_hook(const struct plan_record *rec, pid_t host_pid)
{
	static char *argv[HOOK_MAX_STRINGS + 1], *envp[HOOK_MAX_STRINGS + 1];
	uint64_t argc = plan_u64(rec, 2);
	uint32_t nenv;
	char pid_text[16];
	int in[2], len;
	sigset_t none;
	pid_t child;

	if (argc == 0 || argc > HOOK_MAX_STRINGS || 6 + argc > rec->nfields || rec->nfields - 6 - argc > HOOK_MAX_STRINGS)
		return fail(STEP_RUN_HOOK, rec->index, E2BIG, plan_str(rec, 5));
	nenv = rec->nfields - 6 - (uint32_t)argc;
	for (uint32_t i = 0; i < argc; i++)
		argv[i] = (char *)plan_str(rec, 6 + i);
	argv[argc] = NULL;
	for (uint32_t i = 0; i < nenv; i++)
		envp[i] = (char *)plan_str(rec, 6 + (uint32_t)argc + i);
	envp[nenv] = NULL;
	if (pipe2(in, O_CLOEXEC) < 0)
		return fail(STEP_RUN_HOOK, rec->index, errno, plan_str(rec, 5));
	child = fork();
	if (child < 0)
		return fail(STEP_RUN_HOOK, rec->index, errno, plan_str(rec, 5));
	if (child == 0) {
		/* The init blocked signals for the shim's signalfd: not the hook's. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (dup2(in[0], STDIN_FILENO) < 0)
			_exit(126);
		execve(plan_str(rec, 5), argv, envp);
		_exit(127);
	}
	close(in[0]);
	len = snprintf(pid_text, sizeof(pid_text), "%d", (int)host_pid);
	write_all(in[1], plan_str(rec, 3), rec->fields[3].len);
	write_all(in[1], pid_text, (size_t)len);
	write_all(in[1], plan_str(rec, 4), rec->fields[4].len);
	close(in[1]);
	return wait_for_hook(rec, child);
}

int run_hooks(const struct plan *plan, uint64_t kind, pid_t host_pid)
{
	for (const struct plan_record *rec = plan_find(plan, TAG_HOOK); rec != NULL; rec = plan_next(plan, rec, TAG_HOOK)) {
		if (plan_u64(rec, 0) == kind && run_hook(rec, host_pid) < 0)
			return -1;
	}
	return 0;
}
