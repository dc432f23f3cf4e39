/* Declarations shared by the shim's files: one function per setup step. */
#ifndef ISOLA_SHIM_H
#define ISOLA_SHIM_H

#include "plan.h"
#include "report.h"
#include "steps.h"

#include <sys/types.h>

/* paths.c: rootfs paths resolved from a dirfd, never escaping it. */
int open_in_root(int rootfd, const char *path, int flags);
int ensure_in_root(int rootfd, const char *path, int last_is_dir);
int precreate_targets(const struct plan *plan);
int make_cwd(const struct plan *plan, int rootfd, int precreate);

/* mounts.c */
int make_root_slave(void);
int bind_rootfs(const struct plan *plan, int *rootfd);
int mount_entries(const struct plan *plan, int rootfd);
int create_symlinks(const struct plan *plan, int rootfd);
int mask_paths(const struct plan *plan, int rootfd);
int make_paths_readonly(const struct plan *plan, int rootfd);
int make_rootfs_readonly(const struct plan *plan, int rootfd);
int pivot_to_rootfs(const struct plan *plan, int rootfd);
int ensure_dirs(const struct plan *plan, int rootfd, int precreate);

/* idmap-mount.c: detached mounts the shim makes and the init attaches. */
int prepare_mounts(const struct plan *plan, pid_t pid, int sync_fd);
int receive_prepared_mounts(int sync_fd, int32_t *parent_done_value);
int take_prepared_mount(uint32_t index);
int attach_rootfs_overlay(const struct plan *plan);

/* idmap.c: runs in the shim, the parent of the clone. */
int write_id_maps(const struct plan *plan, pid_t pid);

/* identity.c */
int set_setup_ids(const struct plan *plan);
int apply_rlimits(const struct plan *plan);
int set_identity(const struct plan *plan);

/* security.c */
int write_sysctls(const struct plan *plan, int rootfd);
int set_personality(const struct plan *plan);
int enter_time_namespace(const struct plan *plan);
int load_seccomp(const struct plan *plan, uint64_t phase);

/* console.c */
int open_console(const struct plan *plan, int rootfd, int sync_fd, int *slave_fd);
int attach_console(int slave_fd);

/* init.c: the container side, from clone to execve. Returns only on failure. */
int run_container_init(const struct plan *plan, int sync_fd);

/* lifecycle.c: create/start split, pid file, console socket, setns. */
#define MAX_CGROUP_FILES 16
struct launch_fds {
	const struct plan_record *procs;
	int procs_fds[MAX_CGROUP_FILES];
	int pid_dir;          /* directory of the pid file, or -1 */
	const char *pid_name; /* its last component */
	uint32_t pid_index;
	int console_sock;     /* connected console socket, or -1 */
};
extern int exec_fifo_fd;     /* O_PATH fd of the exec fifo, inherited by the init */
extern int join_cgroupns_fd; /* cgroup namespace the init joins, or -1 */
int prepare_launch(const struct plan *plan, struct launch_fds *fds);
int join_namespaces(const struct plan *plan);
int join_cgroups(const struct launch_fds *fds, pid_t pid);
int write_pid_file(const struct launch_fds *fds, pid_t pid);
int send_console_to_socket(const struct launch_fds *fds, int master);
int wait_for_start(const struct plan *plan, int sync_fd, int fd_dir);

/* preserve-fds.c: the caller's fds 3..3+N-1 passed on to the process. */
unsigned preserved_fd_count(const struct plan *plan);
int check_preserved_fds(const struct plan *plan);
int place_preserved_fds(const struct plan *plan);
void close_preserved_fds(const struct plan *plan);

/* devices.c: mknod of the plan's device nodes in the rootfs. */
int make_device_nodes(const struct plan *plan, int rootfd);

/* hooks.c: createContainer and startContainer hooks, run by the init. */
int run_hooks(const struct plan *plan, uint64_t kind, pid_t host_pid);

/* monitor.c: the shim side after the container exists. Returns the wait
 * status, 0 once detached, -1 on failure. */
int monitor_container(const struct plan *plan, const struct launch_fds *fds, pid_t pid, int sync_fd, int report_fd,
		      int sigfd);

/* detach.c: the monitor of a detached container (log file, exit file, cleanup command). */
int detach_prepare(const struct plan *plan);
int detach_attach_stdio(void);
void detach_close_child_ends(void);
int detach_monitor(const struct plan *plan, pid_t pid, int sigfd, int master, int report_fd);

/* attach.c: clients of a detached container's attach socket. */
struct pollfd;
int attach_listen(const struct plan *plan);
size_t attach_poll_fds(struct pollfd *fds);
void attach_serve(const struct pollfd *fds, size_t count, int input);
void attach_broadcast(const char *data, size_t len);
void attach_close(void);

/* takeover.c: `--plan-file`, the shim in the place of the isola that exec'd it. */
char *takeover_read_plan(const char *path, size_t *size);
int takeover_prepare_stdin(const struct plan *plan);
void takeover_remove_paths(const struct plan *plan);
void takeover_exec_failure(const struct plan *plan);

/* A "/proc/self/fd/N" path for mount(2), which takes no dirfd. */
#define FD_PATH_BYTES 32
void fd_path(char out[FD_PATH_BYTES], int fd);

#endif
