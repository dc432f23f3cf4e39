/* Who the container process is: rlimits, then ids and capabilities in one
 * ordered function, because each step needs privileges the next removes. */
#include "shim.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_GROUPS 65536

/* After the maps are written the init is still its creator's id, which is
 * usually unmapped (the overflow id) inside; become namespace root for setup. */
int set_setup_ids(const struct plan *plan)
{
	const struct plan_record *ids = plan_find(plan, TAG_SETUP_IDS);

	if (ids == NULL)
		return 0;
	if (setresgid((gid_t)plan_u64(ids, 1), (gid_t)plan_u64(ids, 1), (gid_t)plan_u64(ids, 1)) < 0 ||
	    setresuid((uid_t)plan_u64(ids, 0), (uid_t)plan_u64(ids, 0), (uid_t)plan_u64(ids, 0)) < 0)
		return fail(STEP_SET_SETUP_IDS, ids->index, errno, "setresuid");
	return 0;
}

int apply_rlimits(const struct plan *plan)
{
	const struct plan_record *rec;

	for (rec = plan_find(plan, TAG_RLIMIT); rec != NULL; rec = plan_next(plan, rec, TAG_RLIMIT)) {
		struct rlimit limit = { .rlim_cur = plan_u64(rec, 1), .rlim_max = plan_u64(rec, 2) };
		char detail[32];

		if (setrlimit((int)plan_u64(rec, 0), &limit) < 0) {
			snprintf(detail, sizeof(detail), "resource %d", (int)plan_u64(rec, 0));
			return fail(STEP_SET_RLIMIT, rec->index, errno, detail);
		}
	}
	return 0;
}

/* Caps beyond the kernel's last one make PR_CAPBSET_READ fail: stop there. */
static int drop_bounding_set(uint64_t keep)
{
	for (int cap = 0; cap < 64 && prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++) {
		if (keep & (1ull << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			return fail(STEP_DROP_BOUNDING_SET, 0, errno, "PR_CAPBSET_DROP");
	}
	return 0;
}

static int set_groups(const struct plan *plan)
{
	static gid_t groups[MAX_GROUPS];
	const struct plan_record *rec = plan_find(plan, TAG_GROUPS);
	size_t n = 0;

	if (rec == NULL)
		return 0;
	for (; n < rec->nfields && n < MAX_GROUPS; n++)
		groups[n] = (gid_t)plan_u64(rec, n);
	if (setgroups(n, groups) < 0)
		return fail(STEP_SET_GROUPS, rec->index, errno, "setgroups");
	return 0;
}

static int set_capabilities(const struct plan_record *caps)
{
	struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2];
	uint64_t effective = plan_u64(caps, 1), permitted = plan_u64(caps, 2), inheritable = plan_u64(caps, 3);

	for (int i = 0; i < 2; i++) {
		data[i].effective = (uint32_t)(effective >> (32 * i));
		data[i].permitted = (uint32_t)(permitted >> (32 * i));
		data[i].inheritable = (uint32_t)(inheritable >> (32 * i));
	}
	if (syscall(SYS_capset, &header, data) < 0)
		return fail(STEP_SET_CAPABILITIES, caps->index, errno, "capset");
	for (int cap = 0; cap < 64; cap++) {
		if (!(plan_u64(caps, 4) & (1ull << cap)))
			continue;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
			return fail(STEP_SET_AMBIENT, caps->index, errno, "PR_CAP_AMBIENT_RAISE");
	}
	return 0;
}

/* Order matters: the bounding set can only shrink while CAP_SETPCAP is
 * effective (before setresuid), setgroups and setresgid need CAP_SETGID,
 * KEEPCAPS keeps the permitted set across setresuid so capset can then pick
 * the final sets, and no-new-privs comes last as it affects only execve. */
int set_identity(const struct plan *plan)
{
	const struct plan_record *user = plan_find(plan, TAG_USER);
	const struct plan_record *caps = plan_find(plan, TAG_CAPABILITIES);

	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return fail(STEP_SET_UID, 0, errno, "PR_SET_KEEPCAPS");
	if (caps != NULL && drop_bounding_set(plan_u64(caps, 0)) < 0)
		return -1;
	if (set_groups(plan) < 0)
		return -1;
	if (user != NULL) {
		gid_t gid = (gid_t)plan_u64(user, 1);
		uid_t uid = (uid_t)plan_u64(user, 0);

		if (setresgid(gid, gid, gid) < 0)
			return fail(STEP_SET_GID, user->index, errno, "setresgid");
		if (setresuid(uid, uid, uid) < 0)
			return fail(STEP_SET_UID, user->index, errno, "setresuid");
		umask((mode_t)plan_u64(user, 2));
	}
	if (caps != NULL && set_capabilities(caps) < 0)
		return -1;
	if (plan_find(plan, TAG_NO_NEW_PRIVS) != NULL && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fail(STEP_NO_NEW_PRIVS, 0, errno, "PR_SET_NO_NEW_PRIVS");
	return 0;
}
