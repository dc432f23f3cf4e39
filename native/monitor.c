/* The shim's side once the container exists: learn whether the init reached
 * execve, then forward signals, relay the terminal and report the exit. */
#include "shim.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

struct relay {
	int master;        /* pty master, -1 without a terminal */
	int stdin_open;    /* still copying stdin to the master */
	int raw;           /* host terminal switched to raw mode */
	struct termios saved;
};

static uint64_t detach_mode(const struct plan *plan)
{
	const struct plan_record *rec = plan_find(plan, TAG_DETACH);

	return rec == NULL ? 0 : plan_u64(rec, 0);
}

/* A pty master goes to the console socket when there is one (the caller
 * relays it), else the shim relays it. */
static int take_console(const struct launch_fds *fds, int master, struct relay *relay)
{
	if (fds->console_sock < 0) {
		relay->master = master;
		return 0;
	}
	if (send_console_to_socket(fds, master) < 0) {
		close(master);
		return -1;
	}
	close(master);
	close(fds->console_sock);
	return 0;
}

/* Reports go to TypeScript; once detached, nobody may be reading them. */
static int report(const struct plan *plan, int report_fd, uint32_t type, int32_t value)
{
	return send_message(report_fd, type, value) < 0 && detach_mode(plan) == 0 ? -1 : 0;
}

/* Returns 1 once the init executed the process, 2 when the shim detaches
 * from it, 0 when it failed (the failure was forwarded to TypeScript), -1
 * on a broken sync socket. */
static int await_exec(const struct plan *plan, const struct launch_fds *fds, pid_t pid, int sync_fd, int report_fd,
		      struct relay *relay)
{
	struct shim_message msg;
	int fd, got;

	for (;;) {
		got = receive_message(sync_fd, &msg, &fd);
		if (got == 0) {
			if (plan_find(plan, TAG_EXEC_FIFO) == NULL && write_pid_file(fds, pid) < 0)
				return 0;
			if (report(plan, report_fd, MSG_STARTED, pid) < 0)
				return -1;
			return detach_mode(plan) == DETACH_EXIT ? 2 : 1;
		}
		if (got < 0)
			return fail(STEP_SYNC, 0, errno, "sync socket with the container init");
		if (msg.type == MSG_CONSOLE && fd >= 0) {
			if (take_console(fds, fd, relay) < 0)
				return 0;
			continue;
		}
		if (msg.type == MSG_CREATED) {
			if (write_pid_file(fds, pid) < 0)
				return 0;
			if (report(plan, report_fd, MSG_CREATED, pid) < 0)
				return -1;
			if (detach_mode(plan) == DETACH_EXIT)
				return 2;
			continue;
		}
		if (msg.type == MSG_FAILED) {
			failure = msg;
			return 0;
		}
		return fail(STEP_SYNC, 0, EPROTO, "unexpected message from the container init");
	}
}

static void copy_window_size(int master)
{
	struct winsize size;

	/* No terminal on our stdin or stdout means no size to copy: the plan's
	 * size, if any, stays. */
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &size) == 0 || ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0)
		ioctl(master, TIOCSWINSZ, &size);
}

static int copy_once(int from, int to)
{
	char buffer[16384];
	ssize_t n = TEMP_FAILURE_RETRY_INT(read(from, buffer, sizeof(buffer)));

	if (n <= 0)
		return -1;
	for (ssize_t off = 0; off < n;) {
		ssize_t w = TEMP_FAILURE_RETRY_INT(write(to, buffer + off, (size_t)(n - off)));
		if (w < 0)
			return errno == EPIPE ? -1 : 0;
		off += w;
	}
	return 0;
}

static void start_relay(const struct plan *plan, struct relay *relay)
{
	const struct plan_record *term = plan_find(plan, TAG_TERMINAL);
	struct termios raw;

	if (relay->master < 0 || term == NULL)
		return;
	relay->stdin_open = 1;
	if (plan_u64(term, 2) && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &relay->saved) == 0) {
		raw = relay->saved;
		cfmakeraw(&raw);
		relay->raw = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
	}
}

static void stop_relay(struct relay *relay)
{
	if (relay->master >= 0) {
		/* Drain what the process wrote before it exited. */
		struct pollfd drain = { relay->master, POLLIN, 0 };
		while (poll(&drain, 1, 0) > 0 && copy_once(relay->master, STDOUT_FILENO) == 0)
			;
		close(relay->master);
	}
	if (relay->raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &relay->saved);
}

/* Returns 1 when the container init has exited (status stored). */
static int take_signal(int sigfd, pid_t pid, const struct relay *relay, int *status)
{
	struct signalfd_siginfo info;

	if (TEMP_FAILURE_RETRY_INT(read(sigfd, &info, sizeof(info))) != (ssize_t)sizeof(info))
		return 0;
	if (info.ssi_signo == SIGCHLD)
		return TEMP_FAILURE_RETRY_INT(waitpid(pid, status, WNOHANG)) == pid;
	if (info.ssi_signo == SIGWINCH) {
		if (relay->master >= 0)
			copy_window_size(relay->master);
		return 0;
	}
	kill(pid, (int)info.ssi_signo); /* ESRCH: it is exiting, SIGCHLD follows */
	return 0;
}

static int relay_until_exit(pid_t pid, int sigfd, struct relay *relay)
{
	struct pollfd fds[3];
	int status = 0;

	for (;;) {
		nfds_t n = 0;

		fds[n++] = (struct pollfd){ sigfd, POLLIN, 0 };
		if (relay->master >= 0)
			fds[n++] = (struct pollfd){ relay->master, POLLIN, 0 };
		if (relay->master >= 0 && relay->stdin_open)
			fds[n++] = (struct pollfd){ STDIN_FILENO, POLLIN, 0 };
		if (poll(fds, n, -1) < 0 && errno != EINTR)
			return fail(STEP_MONITOR, 0, errno, "poll");
		if ((fds[0].revents & POLLIN) && take_signal(sigfd, pid, relay, &status))
			return status;
		if (n > 1 && fds[1].revents && copy_once(relay->master, STDOUT_FILENO) < 0) {
			/* EIO: every slave fd is closed; keep waiting for the exit. */
			close(relay->master);
			relay->master = -1;
		}
		if (n > 2 && fds[2].revents && copy_once(STDIN_FILENO, relay->master) < 0)
			relay->stdin_open = 0;
	}
}

int monitor_container(const struct plan *plan, const struct launch_fds *fds, pid_t pid, int sync_fd, int report_fd,
		      int sigfd)
{
	struct relay relay = { .master = -1 };
	int started, status;

	started = await_exec(plan, fds, pid, sync_fd, report_fd, &relay);
	if (started == 2)
		return 0;
	if (started <= 0) {
		kill(pid, SIGKILL);
		TEMP_FAILURE_RETRY_INT(waitpid(pid, NULL, 0));
		if (relay.master >= 0)
			close(relay.master);
		return -1;
	}
	if (plan_find(plan, TAG_EXIT_FILE) != NULL)
		return detach_monitor(plan, pid, sigfd, relay.master, report_fd);
	start_relay(plan, &relay);
	if (relay.master >= 0)
		copy_window_size(relay.master);
	status = relay_until_exit(pid, sigfd, &relay);
	stop_relay(&relay);
	if (status < 0)
		return -1;
	report(plan, report_fd, MSG_EXITED, status);
	return status;
}
