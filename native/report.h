/* Messages on the sync sockets (shim <-> TypeScript on fd 3, shim <-> container
 * init). One fixed-size record per message, smaller than PIPE_BUF, so every
 * write is atomic. Mirrored in src/launch/messages.ts. */
#ifndef ISOLA_REPORT_H
#define ISOLA_REPORT_H

#include <stdint.h>
#include <sys/types.h>

#define MSG_CHILD_PID 1   /* value: host pid of the container init */
#define MSG_STARTED 2     /* the container process was executed */
#define MSG_FAILED 3      /* step, err, index, detail */
#define MSG_EXITED 4      /* value: raw wait status */
#define MSG_PARENT_DONE 5 /* shim -> init: ID maps and cgroups are in place; value: the init's host pid */
#define MSG_CONSOLE 6     /* init -> shim: pty master passed as SCM_RIGHTS */
#define MSG_CREATED 7     /* init -> shim -> TS: set up, blocked until start; value: host pid */
#define MSG_MOUNT_FD 50   /* shim -> init: a detached mount (idmap-mount.c) as SCM_RIGHTS */

#define MSG_DETAIL_BYTES 488

struct shim_message {
	uint32_t type;
	int32_t value;
	int32_t err;
	uint32_t step;
	uint32_t index;
	uint32_t truncated;
	char detail[MSG_DETAIL_BYTES];
};

/* The failure being built; static so the container side needs no heap. */
extern struct shim_message failure;

/* Records step, errno and the object (path, helper output) of a failure;
 * always returns -1 so call sites read `return fail(...)`. */
int fail(uint32_t step, uint32_t index, int err, const char *detail);
int send_message(int fd, uint32_t type, int32_t value);
int send_failure(int fd);
/* Receives one message; with fd_out, also an fd passed alongside it. */
int receive_message(int fd, struct shim_message *msg, int *fd_out);
/* Waits for one message of type `want`; anything else is a sync failure. */
int expect_message(int fd, uint32_t want, uint32_t step);
/* The same, also handing back the message's value. */
int expect_message_value(int fd, uint32_t want, uint32_t step, int32_t *value);
int send_fd(int sock, uint32_t type, int fd);
int read_exact(int fd, void *buffer, size_t size);

#define TEMP_FAILURE_RETRY_INT(expr)                      \
	({                                                \
		long result_;                             \
		do                                        \
			result_ = (long)(expr);           \
		while (result_ == -1L && errno == EINTR); \
		result_;                                  \
	})

#endif
