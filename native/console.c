/* The container's terminal is a pty of its own devpts instance, opened by the
 * init before pivot_root; the master goes to the shim, which relays it to the
 * user's terminal. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <termios.h>
#include <unistd.h>

int open_console(const struct plan *plan, int rootfd, int sync_fd, int *slave_fd)
{
	const struct plan_record *term = plan_find(plan, TAG_TERMINAL);
	struct winsize size = { 0 };
	char from[FD_PATH_BYTES], to[FD_PATH_BYTES];
	int unlock = 0, master, console;

	*slave_fd = -1;
	if (term == NULL)
		return 0;
	master = rootfd < 0 ? open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
			    : open_in_root(rootfd, "/dev/pts/ptmx", O_RDWR | O_NOCTTY);
	if (master < 0)
		return fail(STEP_OPEN_CONSOLE, term->index, errno, "/dev/pts/ptmx");
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0 ||
	    (*slave_fd = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		return fail(STEP_OPEN_CONSOLE, term->index, errno, "/dev/pts/ptmx");
	size.ws_row = (unsigned short)plan_u64(term, 0);
	size.ws_col = (unsigned short)plan_u64(term, 1);
	if (size.ws_row && size.ws_col && ioctl(master, TIOCSWINSZ, &size) < 0)
		return fail(STEP_OPEN_CONSOLE, term->index, errno, "TIOCSWINSZ");
	if (rootfd < 0)
		goto send;
	console = ensure_in_root(rootfd, "/dev/console", 0);
	if (console < 0)
		return fail(STEP_OPEN_CONSOLE, term->index, errno, "/dev/console");
	fd_path(from, *slave_fd);
	fd_path(to, console);
	if (mount(from, to, NULL, MS_BIND, NULL) < 0)
		return fail(STEP_OPEN_CONSOLE, term->index, errno, "/dev/console");
	close(console);
send:
	if (send_fd(sync_fd, MSG_CONSOLE, master) < 0)
		return fail(STEP_SEND_CONSOLE, term->index, errno, "sync socket");
	close(master);
	return 0;
}

/* Needs a new session (no controlling terminal yet). */
int attach_console(int slave_fd)
{
	if (slave_fd < 0)
		return 0;
	if (ioctl(slave_fd, TIOCSCTTY, 0) < 0)
		return fail(STEP_SET_CONTROLLING_TTY, 0, errno, "TIOCSCTTY");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave_fd, fd) < 0)
			return fail(STEP_SET_CONTROLLING_TTY, 0, errno, "dup2");
	if (slave_fd > 2)
		close(slave_fd);
	return 0;
}
