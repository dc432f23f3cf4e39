/* Detached monitor (TAG_EXIT_FILE, with DETACH_STAY): the shim outlives the isola that started it and
 * is the container's monitor, conmon's role. It keeps the container's stdout
 * and stderr (pipes, or the pty master) in a k8s-file log, reaps the init,
 * records the exit status and time in the exit file (temp file + rename, so a
 * reader sees all of it or nothing), then execs the engine's cleanup command.
 * What to do about the exit (remove, restart) is the cleanup command's call:
 * nothing here decides. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LOG_PATH_BYTES 4096

struct log_file {
	int fd;
	off_t size;
	uint64_t max_bytes; /* rotate above this size; 0: never */
	uint64_t keep;      /* rotated files kept: path.1 .. path.keep */
	const char *path;
};

struct stream {
	int fd;             /* read end; -1 once closed */
	const char *name;   /* "stdout" or "stderr" */
};

/* Pipes made before clone: [0] stays here, [1] becomes the init's stdout/stderr. */
static int out_pipe[2] = { -1, -1 };
static int err_pipe[2] = { -1, -1 };
/* TAG_STDIN_PIPE: [0] becomes the init's stdin, [1] stays here for attach clients. */
static int in_pipe[2] = { -1, -1 };
static struct log_file log_file = { .fd = -1 };

static int open_log(void)
{
	struct stat st;

	log_file.fd = open(log_file.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (log_file.fd < 0 || fstat(log_file.fd, &st) < 0)
		return fail(STEP_OPEN_LOG, 0, errno, log_file.path);
	log_file.size = st.st_size;
	return 0;
}

int detach_prepare(const struct plan *plan)
{
	const struct plan_record *log = plan_find(plan, TAG_LOG_FILE);

	if (plan_find(plan, TAG_EXIT_FILE) == NULL)
		return 0;
	/* A monitor may live for months: it must not keep its caller's other
	 * fds open (a pipe whose reader waits for EOF would wait that long).
	 * Only the report socket (fd 3), stdio and preserved fds stay. */
	if (syscall(SYS_close_range, 4 + preserved_fd_count(plan), ~0U, 0) < 0)
		return fail(STEP_LOG_PIPE, 0, errno, "close_range");
	if (log != NULL) {
		log_file.path = plan_str(log, 0);
		log_file.max_bytes = plan_u64(log, 1);
		log_file.keep = plan_u64(log, 2);
		if (strlen(log_file.path) + 24 > LOG_PATH_BYTES)
			return fail(STEP_OPEN_LOG, log->index, ENAMETOOLONG, log_file.path);
		if (open_log() < 0)
			return -1;
	}
	if (pipe2(out_pipe, O_CLOEXEC) < 0 || pipe2(err_pipe, O_CLOEXEC) < 0)
		return fail(STEP_LOG_PIPE, 0, errno, "pipe2");
	/* Non-blocking: a container that does not read its stdin must not stall
	 * the monitor; input that does not fit in the pipe is dropped. */
	if (plan_find(plan, TAG_STDIN_PIPE) != NULL &&
	    (pipe2(in_pipe, O_CLOEXEC) < 0 || fcntl(in_pipe[1], F_SETFL, O_NONBLOCK) < 0))
		return fail(STEP_STDIN_PIPE, plan_find(plan, TAG_STDIN_PIPE)->index, errno, "pipe2");
	return attach_listen(plan);
}

/* In the init, before its checklist: a terminal, if any, replaces these later. */
int detach_attach_stdio(void)
{
	if (out_pipe[1] < 0)
		return 0;
	if (dup2(out_pipe[1], STDOUT_FILENO) < 0 || dup2(err_pipe[1], STDERR_FILENO) < 0)
		return fail(STEP_ATTACH_LOG, 0, errno, "dup2");
	if (in_pipe[0] >= 0 && dup2(in_pipe[0], STDIN_FILENO) < 0)
		return fail(STEP_STDIN_PIPE, 0, errno, "dup2");
	return 0;
}

/* In the monitor after clone: only the container may hold the write ends, so
 * the pipes reach EOF when its last process is gone. */
void detach_close_child_ends(void)
{
	if (out_pipe[1] >= 0)
		close(out_pipe[1]);
	if (err_pipe[1] >= 0)
		close(err_pipe[1]);
	if (in_pipe[0] >= 0)
		close(in_pipe[0]);
	out_pipe[1] = err_pipe[1] = in_pipe[0] = -1;
}

/* path -> path.1 -> ... -> path.keep (the oldest is replaced), then a new path. */
static void rotate_log(void)
{
	char from[LOG_PATH_BYTES], to[LOG_PATH_BYTES];

	for (uint64_t i = log_file.keep; i > 0; i--) {
		if (i == 1)
			snprintf(from, sizeof(from), "%s", log_file.path);
		else
			snprintf(from, sizeof(from), "%s.%llu", log_file.path, (unsigned long long)(i - 1));
		snprintf(to, sizeof(to), "%s.%llu", log_file.path, (unsigned long long)i);
		rename(from, to); /* ENOENT: fewer files exist yet */
	}
	if (log_file.keep == 0 && ftruncate(log_file.fd, 0) == 0) {
		log_file.size = 0;
		return;
	}
	close(log_file.fd);
	/* No log is better than a dead monitor: a failed open only stops logging. */
	if (open_log() < 0)
		log_file.fd = -1;
}

/* One k8s-file entry: "TIMESTAMP STREAM F|P TEXT\n" (P: the line continues). */
static void write_entry(const char *stream, const char *text, size_t len, int is_full)
{
	char head[80];
	struct timespec now;
	struct tm tm;
	struct iovec iov[3];
	int n;

	if (log_file.fd < 0)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	n = snprintf(head, sizeof(head), "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ %s %c ", tm.tm_year + 1900, tm.tm_mon + 1,
		     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, now.tv_nsec, stream, is_full ? 'F' : 'P');
	if (n < 0 || (size_t)n >= sizeof(head))
		return;
	iov[0] = (struct iovec){ head, (size_t)n };
	iov[1] = (struct iovec){ (void *)text, len };
	iov[2] = (struct iovec){ "\n", 1 };
	/* A short or failed write (disk full) loses log text, never the container. */
	ssize_t written = TEMP_FAILURE_RETRY_INT(writev(log_file.fd, iov, 3));
	if (written > 0)
		log_file.size += written;
	if (log_file.max_bytes > 0 && (uint64_t)log_file.size >= log_file.max_bytes)
		rotate_log();
}

/* Returns -1 at EOF (or EIO from a pty whose slaves are all closed). */
static int copy_to_log(struct stream *s)
{
	char buffer[16384];
	ssize_t n = TEMP_FAILURE_RETRY_INT(read(s->fd, buffer, sizeof(buffer)));
	size_t start = 0;

	if (n <= 0)
		return -1;
	attach_broadcast(buffer, (size_t)n);
	for (size_t i = 0; i < (size_t)n; i++) {
		if (buffer[i] != '\n')
			continue;
		/* A terminal ends lines with \r\n: the \r is not part of the text. */
		size_t end = i > start && buffer[i - 1] == '\r' ? i - 1 : i;
		write_entry(s->name, buffer + start, end - start, 1);
		start = i + 1;
	}
	if (start < (size_t)n)
		write_entry(s->name, buffer + start, (size_t)n - start, 0);
	return 0;
}

static void close_stream(struct stream *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

/* Reads what the container wrote, until it has exited and its streams are drained. */
static int log_until_exit(pid_t pid, int sigfd, struct stream *streams, size_t count, int input)
{
	struct signalfd_siginfo info;
	int status = 0, exited = 0;

	for (;;) {
		struct pollfd fds[16];
		size_t open_streams = 0, attached;

		fds[0] = (struct pollfd){ sigfd, POLLIN, 0 };
		for (size_t i = 0; i < count; i++) {
			fds[i + 1] = (struct pollfd){ streams[i].fd, POLLIN, 0 };
			open_streams += streams[i].fd >= 0;
		}
		if (exited && open_streams == 0)
			return status;
		attached = attach_poll_fds(fds + count + 1);
		/* After the exit only what is already buffered is read: a process
		 * outside the container could hold a pipe open forever. */
		int ready = poll(fds, (nfds_t)(count + 1 + attached), exited ? 0 : -1);
		if (ready < 0 && errno != EINTR)
			return fail(STEP_MONITOR, 0, errno, "poll");
		if (exited && ready == 0)
			return status;
		for (size_t i = 0; i < count; i++)
			if (fds[i + 1].revents && copy_to_log(&streams[i]) < 0)
				close_stream(&streams[i]);
		attach_serve(fds + count + 1, attached, input);
		if (!(fds[0].revents & POLLIN) || TEMP_FAILURE_RETRY_INT(read(sigfd, &info, sizeof(info))) != (ssize_t)sizeof(info))
			continue;
		if (info.ssi_signo != SIGCHLD)
			kill(pid, (int)info.ssi_signo); /* ESRCH: it is exiting, SIGCHLD follows */
		else if (TEMP_FAILURE_RETRY_INT(waitpid(pid, &status, WNOHANG)) == pid)
			exited = 1;
	}
}

/* "RAW_WAIT_STATUS SECONDS.NANOSECONDS\n", replaced atomically. */
static int write_exit_file(const char *path, int status)
{
	char tmp[LOG_PATH_BYTES], text[64];
	struct timespec now;
	int fd, len;

	clock_gettime(CLOCK_REALTIME, &now);
	len = snprintf(text, sizeof(text), "%d %lld.%09ld\n", status, (long long)now.tv_sec, now.tv_nsec);
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (TEMP_FAILURE_RETRY_INT(write(fd, text, (size_t)len)) != len || close(fd) < 0)
		return -1;
	return rename(tmp, path);
}

/* Execs the cleanup command, which takes over this pid (the engine knows the
 * monitor by pid and start time, both kept across execve). */
static void exec_exit_command(const struct plan *plan)
{
	const struct plan_record *cmd = plan_find(plan, TAG_EXIT_COMMAND);
	char *argv[64];
	uint32_t n = 0;

	if (cmd == NULL)
		return;
	for (; n < cmd->nfields && n < 63; n++)
		argv[n] = (char *)plan_str(cmd, n);
	argv[n] = NULL;
	execv(argv[0], argv);
}

int detach_monitor(const struct plan *plan, pid_t pid, int sigfd, int master, int report_fd)
{
	struct stream streams[3] = { { out_pipe[0], "stdout" }, { err_pipe[0], "stderr" }, { master, "stdout" } };
	int status;

	/* The caller has what it needs (MSG_STARTED) and may be gone already. */
	close(report_fd);
	/* Hold no directory of the caller's busy. */
	if (chdir("/") < 0)
		return -1;
	/* Clients type into the terminal, or else into the stdin pipe, if any. */
	status = log_until_exit(pid, sigfd, streams, 3, master >= 0 ? master : in_pipe[1]);
	for (size_t i = 0; i < 3; i++)
		close_stream(&streams[i]);
	if (in_pipe[1] >= 0)
		close(in_pipe[1]);
	attach_close();
	if (status < 0)
		return -1;
	if (write_exit_file(plan_str(plan_find(plan, TAG_EXIT_FILE), 0), status) < 0)
		return -1;
	exec_exit_command(plan);
	return status;
}
