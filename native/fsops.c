/* Executes a batch of file operations beneath a directory fd (fsops.h).
 * Policy-free: TypeScript decides what to create, with which ids, modes and
 * xattrs, and which failures may be skipped; this file only performs them.
 *
 * Every path is resolved with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS):
 * the layer being unpacked is untrusted, so no symlink in it (even one that
 * would stay inside) is followed, and `..` cannot climb out of the directory. */
#include "fsops.h"
#include "report.h"
#include "steps.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define REPORT_FD 3
#define DIR_FD 4
#define OP_HEADER_BYTES 40u
#define PATH_BYTES 4096u
#define NAME_BYTES 256u

struct fsop {
	uint32_t op, flags, mode, uid, gid, major, minor;
	char path[PATH_BYTES];
	char name[NAME_BYTES];
	const unsigned char *value;
	uint32_t value_len;
};

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int read_batch(unsigned char **out, uint32_t *size)
{
	unsigned char header[4];

	if (read_exact(REPORT_FD, header, sizeof(header)) < 0)
		return fail(STEP_FSOPS_READ, 0, errno, "batch length");
	*size = get_u32(header);
	if (*size < 4 || *size > FSOPS_MAX_BYTES)
		return fail(STEP_FSOPS_READ, 0, E2BIG, "batch length");
	*out = malloc(*size);
	if (*out == NULL)
		return fail(STEP_FSOPS_READ, 0, ENOMEM, "batch");
	if (read_exact(REPORT_FD, *out, *size) < 0)
		return fail(STEP_FSOPS_READ, 0, errno, "batch");
	return 0;
}

/* Copies `len` bytes to a NUL-terminated buffer; embedded NULs are refused. */
static int copy_text(char *dst, size_t cap, const unsigned char *src, uint32_t len)
{
	if (len >= cap || memchr(src, 0, len) != NULL)
		return -1;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return 0;
}

/* Decodes op `index` at *pos; returns -1 (with a failure) on a malformed batch. */
static int decode_op(const unsigned char *batch, uint32_t size, uint32_t *pos, uint32_t index, struct fsop *op)
{
	const unsigned char *h = batch + *pos;
	uint32_t path_len, name_len, value_len;

	if (size - *pos < OP_HEADER_BYTES)
		return fail(STEP_FSOPS_READ, index, EINVAL, "op header");
	op->op = get_u32(h);
	op->flags = get_u32(h + 4);
	op->mode = get_u32(h + 8);
	op->uid = get_u32(h + 12);
	op->gid = get_u32(h + 16);
	op->major = get_u32(h + 20);
	op->minor = get_u32(h + 24);
	path_len = get_u32(h + 28);
	name_len = get_u32(h + 32);
	value_len = get_u32(h + 36);
	*pos += OP_HEADER_BYTES;
	if ((uint64_t)path_len + name_len + value_len > size - *pos)
		return fail(STEP_FSOPS_READ, index, EINVAL, "op body");
	if (copy_text(op->path, sizeof(op->path), batch + *pos, path_len) < 0 ||
	    copy_text(op->name, sizeof(op->name), batch + *pos + path_len, name_len) < 0)
		return fail(STEP_FSOPS_READ, index, EINVAL, "op path or name");
	op->value = batch + *pos + path_len + name_len;
	op->value_len = value_len;
	*pos += path_len + name_len + value_len;
	return 0;
}

static int open_beneath(const char *path, uint64_t flags)
{
	struct open_how how = {
		.flags = flags | O_PATH | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};

	return (int)TEMP_FAILURE_RETRY_INT(syscall(SYS_openat2, DIR_FD, path, &how, sizeof(how)));
}

/* Returns the errno of the failed step (and sets *step), or 0. */
static int make_node(const struct fsop *op, uint32_t *step)
{
	char parent[PATH_BYTES], proc[32];
	const char *slash = strrchr(op->path, '/');
	const char *base = slash == NULL ? op->path : slash + 1;
	int dirfd = DIR_FD, fd = -1, err = 0;

	*step = STEP_FSOPS_RESOLVE;
	if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return EINVAL;
	if (slash != NULL) {
		memcpy(parent, op->path, (size_t)(slash - op->path));
		parent[slash - op->path] = '\0';
		if ((dirfd = open_beneath(parent, O_DIRECTORY)) < 0)
			return errno;
	}
	*step = STEP_FSOPS_MKNOD;
	if (mknodat(dirfd, base, (mode_t)op->mode, makedev(op->major, op->minor)) < 0) {
		err = errno;
		goto out;
	}
	*step = STEP_FSOPS_SET_ATTRS;
	if ((fd = (int)TEMP_FAILURE_RETRY_INT(openat(dirfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC))) < 0 ||
	    fchownat(fd, "", op->uid, op->gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
		err = errno;
		goto out;
	}
	/* chmod through /proc: the node is not a symlink (we just made it), and
	 * chmod of a device path never opens the device. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (chmod(proc, (mode_t)(op->mode & 07777)) < 0)
		err = errno;
out:
	if (fd >= 0)
		close(fd);
	if (dirfd != DIR_FD)
		close(dirfd);
	return err;
}

static int set_xattr(const struct fsop *op, uint32_t *step)
{
	char proc[32];
	int fd, err = 0;

	*step = STEP_FSOPS_RESOLVE;
	if ((fd = open_beneath(op->path[0] == '\0' ? "." : op->path, 0)) < 0)
		return errno;
	/* An O_PATH fd takes no fsetxattr; its /proc magic link reaches the
	 * inode itself (a symlink stays a symlink: the magic link is not
	 * resolved again). */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	*step = STEP_FSOPS_SETXATTR;
	if (setxattr(proc, op->name, op->value, op->value_len, 0) < 0)
		err = errno;
	close(fd);
	return err;
}

#define DESCRIBE_BYTES (PATH_BYTES + NAME_BYTES + 2)

/* "path" or "path name": always fits, both parts being bounded. */
static void describe(char out[DESCRIBE_BYTES], const struct fsop *op)
{
	size_t path_len = strlen(op->path);

	memcpy(out, op->path, path_len + 1);
	if (op->op == FSOP_SETXATTR) {
		out[path_len] = ' ';
		memcpy(out + path_len + 1, op->name, strlen(op->name) + 1);
	}
}

static void record_skip(struct shim_message *done, uint32_t step, uint32_t index, int err, const char *detail)
{
	size_t len = strlen(detail);

	done->err = err;
	done->step = step;
	done->index = index;
	done->truncated = len >= sizeof(done->detail);
	memcpy(done->detail, detail, done->truncated ? sizeof(done->detail) - 1 : len);
}

int run_fsops(void)
{
	static struct fsop op;
	static struct shim_message done;
	static char detail[DESCRIBE_BYTES];
	unsigned char *batch = NULL;
	uint32_t size = 0, count, pos = 4, skipped = 0;

	signal(SIGPIPE, SIG_IGN);
	/* Modes come from the layer exactly; chmod follows anyway, after chown. */
	umask(0);
	if (read_batch(&batch, &size) < 0)
		goto failed;
	count = get_u32(batch);
	memset(&done, 0, sizeof(done));
	for (uint32_t i = 0; i < count; i++) {
		uint32_t step = STEP_FSOPS_READ;
		int err;

		if (decode_op(batch, size, &pos, i, &op) < 0)
			goto failed;
		if (op.op == FSOP_MKNOD)
			err = make_node(&op, &step);
		else if (op.op == FSOP_SETXATTR)
			err = set_xattr(&op, &step);
		else
			err = EINVAL;
		if (err == 0)
			continue;
		describe(detail, &op);
		if ((op.flags & FSOP_FLAG_OPTIONAL) == 0) {
			fail(step, i, err, detail);
			goto failed;
		}
		if (skipped++ == 0)
			record_skip(&done, step, i, err, detail);
	}
	if (pos != size) {
		fail(STEP_FSOPS_READ, count, EINVAL, "trailing bytes after the last op");
		goto failed;
	}
	done.type = FSOPS_MSG_DONE;
	done.value = (int32_t)skipped;
	return TEMP_FAILURE_RETRY_INT(write(REPORT_FD, &done, sizeof(done))) == (ssize_t)sizeof(done) ? 0 : 125;
failed:
	send_failure(REPORT_FD);
	return 125;
}
