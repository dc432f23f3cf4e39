#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct shim_message failure;

int fail(uint32_t step, uint32_t index, int err, const char *detail)
{
	int n;

	memset(&failure, 0, sizeof(failure));
	failure.type = MSG_FAILED;
	failure.step = step;
	failure.index = index;
	failure.err = err;
	n = snprintf(failure.detail, sizeof(failure.detail), "%s", detail ? detail : "");
	failure.truncated = n < 0 || (size_t)n >= sizeof(failure.detail);
	return -1;
}

static int write_message(int fd, const struct shim_message *msg)
{
	ssize_t n = TEMP_FAILURE_RETRY_INT(write(fd, msg, sizeof(*msg)));

	return n == (ssize_t)sizeof(*msg) ? 0 : -1;
}

int send_message(int fd, uint32_t type, int32_t value)
{
	struct shim_message msg;

	memset(&msg, 0, sizeof(msg));
	msg.type = type;
	msg.value = value;
	return write_message(fd, &msg);
}

int send_failure(int fd)
{
	return write_message(fd, &failure);
}

int send_fd(int sock, uint32_t type, int fd)
{
	struct shim_message msg;
	char control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &msg, sizeof(msg) };
	struct msghdr hdr = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof(control) };
	struct cmsghdr *cmsg;

	memset(&msg, 0, sizeof(msg));
	memset(control, 0, sizeof(control));
	msg.type = type;
	cmsg = CMSG_FIRSTHDR(&hdr);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	return TEMP_FAILURE_RETRY_INT(sendmsg(sock, &hdr, MSG_NOSIGNAL)) == (ssize_t)sizeof(msg) ? 0 : -1;
}

/* Returns 1 for a message, 0 for end of stream, -1 for an error. */
int receive_message(int fd, struct shim_message *msg, int *fd_out)
{
	char control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { msg, sizeof(*msg) };
	struct msghdr hdr = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof(control) };
	struct cmsghdr *cmsg;
	ssize_t n;

	if (fd_out != NULL)
		*fd_out = -1;
	n = TEMP_FAILURE_RETRY_INT(recvmsg(fd, &hdr, MSG_CMSG_CLOEXEC));
	if (n == 0)
		return 0;
	if (n != (ssize_t)sizeof(*msg)) {
		if (n >= 0)
			errno = EPROTO;
		return -1;
	}
	for (cmsg = CMSG_FIRSTHDR(&hdr); cmsg != NULL; cmsg = CMSG_NXTHDR(&hdr, cmsg)) {
		if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS && fd_out != NULL)
			memcpy(fd_out, CMSG_DATA(cmsg), sizeof(int));
	}
	return 1;
}

/* Reads exactly `size` bytes; a short stream is EPIPE. */
int read_exact(int fd, void *buffer, size_t size)
{
	size_t got = 0;

	while (got < size) {
		ssize_t n = TEMP_FAILURE_RETRY_INT(read(fd, (char *)buffer + got, size - got));
		if (n <= 0) {
			errno = n == 0 ? EPIPE : errno;
			return -1;
		}
		got += (size_t)n;
	}
	return 0;
}

int expect_message(int fd, uint32_t want, uint32_t step)
{
	return expect_message_value(fd, want, step, NULL);
}

int expect_message_value(int fd, uint32_t want, uint32_t step, int32_t *value)
{
	struct shim_message msg;
	char detail[64];
	int got = receive_message(fd, &msg, NULL);

	if (got < 0)
		return fail(step, 0, errno, "sync socket");
	if (got == 1 && msg.type == want) {
		if (value != NULL)
			*value = msg.value;
		return 0;
	}
	snprintf(detail, sizeof(detail), "expected message %u, got %u", want, got == 1 ? msg.type : 0);
	return fail(step, 0, EPROTO, detail);
}
