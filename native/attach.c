/* `isola attach`: a detached container's monitor listens on a unix socket
 * (TAG_ATTACH_SOCKET) beside its log. What the container writes goes to every
 * connected client as well as to the log; what a client writes goes to the
 * container's terminal, when it has one. A client that cannot keep up is
 * dropped rather than slowing the container down. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_CLIENTS 4

static int listen_fd = -1;
static int clients[MAX_CLIENTS] = { -1, -1, -1, -1 };
/* A client that closed its sending side still gets the output until the end. */
static int is_reading[MAX_CLIENTS];
static const char *socket_path;

/* sun_path holds 108 bytes, less than a run directory's path may take: the
 * socket is bound through /proc/self/fd of the directory instead. */
static int socket_address(const char *path, uint32_t index, int *dir_fd, struct sockaddr_un *addr)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	size_t dir_len = slash == NULL ? 0 : (size_t)(slash - path);

	if (slash == NULL || dir_len >= sizeof(dir))
		return fail(STEP_ATTACH_SOCKET, index, EINVAL, path);
	memcpy(dir, path, dir_len);
	dir[dir_len] = '\0';
	*dir_fd = open(dir_len == 0 ? "/" : dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*dir_fd < 0)
		return fail(STEP_ATTACH_SOCKET, index, errno, dir);
	int n = snprintf(addr->sun_path, sizeof(addr->sun_path), "/proc/self/fd/%d/%s", *dir_fd, slash + 1);
	if (n < 0 || (size_t)n >= sizeof(addr->sun_path))
		return fail(STEP_ATTACH_SOCKET, index, ENAMETOOLONG, path);
	return 0;
}

int attach_listen(const struct plan *plan)
{
	const struct plan_record *rec = plan_find(plan, TAG_ATTACH_SOCKET);
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int dir_fd = -1, err;

	if (rec == NULL)
		return 0;
	socket_path = plan_str(rec, 0);
	if (socket_address(socket_path, rec->index, &dir_fd, &addr) < 0)
		return -1;
	/* A socket left by an earlier run of this container. */
	if (unlink(socket_path) < 0 && errno != ENOENT)
		err = errno;
	else if ((listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0 ||
		 bind(listen_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || chmod(socket_path, 0600) < 0 ||
		 listen(listen_fd, MAX_CLIENTS) < 0)
		err = errno;
	else
		err = 0;
	close(dir_fd);
	return err == 0 ? 0 : fail(STEP_ATTACH_SOCKET, rec->index, err, socket_path);
}

/* Adds the listening socket and the clients to a poll set; returns how many. */
size_t attach_poll_fds(struct pollfd *fds)
{
	size_t n = 0;

	if (listen_fd < 0)
		return 0;
	fds[n++] = (struct pollfd){ listen_fd, POLLIN, 0 };
	for (size_t i = 0; i < MAX_CLIENTS; i++)
		fds[n++] = (struct pollfd){ is_reading[i] ? clients[i] : -1, POLLIN, 0 };
	return n;
}

static void drop_client(size_t i)
{
	close(clients[i]);
	clients[i] = -1;
	is_reading[i] = 0;
}

/* Accepts new clients and passes their input to `input`, the terminal or the
 * stdin pipe (dropped without either). */
void attach_serve(const struct pollfd *fds, size_t count, int input)
{
	char buffer[4096];

	if (count == 0)
		return;
	if (fds[0].revents & POLLIN) {
		int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		size_t i = 0;

		while (fd >= 0 && i < MAX_CLIENTS && clients[i] >= 0)
			i++;
		if (fd >= 0 && i == MAX_CLIENTS)
			close(fd); /* full: the client sees the connection closed */
		else if (fd >= 0) {
			clients[i] = fd;
			is_reading[i] = 1;
		}
	}
	for (size_t i = 0; i < MAX_CLIENTS && i + 1 < count; i++) {
		if (clients[i] < 0 || fds[i + 1].revents == 0)
			continue;
		ssize_t n = TEMP_FAILURE_RETRY_INT(read(clients[i], buffer, sizeof(buffer)));
		if (n == 0) {
			is_reading[i] = 0;
			continue;
		}
		if (n < 0) {
			drop_client(i);
			continue;
		}
		/* A failed write (EAGAIN: a full pipe, EPIPE: stdin closed) loses this input, nothing else. */
		if (input >= 0 && TEMP_FAILURE_RETRY_INT(write(input, buffer, (size_t)n)) < 0)
			continue;
	}
}

void attach_broadcast(const char *data, size_t len)
{
	for (size_t i = 0; i < MAX_CLIENTS; i++)
		if (clients[i] >= 0 && TEMP_FAILURE_RETRY_INT(send(clients[i], data, len, MSG_NOSIGNAL)) != (ssize_t)len)
			drop_client(i);
}

/* The container has exited: clients see EOF, the socket goes. */
void attach_close(void)
{
	for (size_t i = 0; i < MAX_CLIENTS; i++)
		if (clients[i] >= 0)
			drop_client(i);
	if (listen_fd >= 0) {
		close(listen_fd);
		unlink(socket_path); /* ENOENT: removed with the run directory */
	}
}
