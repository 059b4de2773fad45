// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "log.h"
#include "manager.h"
#include "polkit.h"
#include "validate.h"

static const struct {
	const char *description;
	const char *polkit_id;
} actions[_ACTION_MAX] = {
	[ACTION_MANAGE_OWN_VGPUS] = { "create, define or remove your own vGPUs", "org.gvtd1.manage-own-vgpus" },
	[ACTION_MANAGE_VGPUS] = { "manage vGPUs of other owners", "org.gvtd1.manage-vgpus" },
	[ACTION_SET_QUOTAS] = { "set quotas", "org.gvtd1.set-quotas" },
	[ACTION_MANAGE_MODULES] = { "load or unload the GVT modules", "org.gvtd1.manage-modules" },
	[ACTION_MANAGE_TOKENS] = { "add, list or revoke REST API tokens", "org.gvtd1.manage-tokens" },
};

/* The least role that may do each action. */
static const Role action_roles[_ACTION_MAX] = {
	[ACTION_MANAGE_OWN_VGPUS] = ROLE_USER,
	[ACTION_MANAGE_VGPUS] = ROLE_ADMIN,
	[ACTION_SET_QUOTAS] = ROLE_ADMIN,
	[ACTION_MANAGE_MODULES] = ROLE_ADMIN,
	[ACTION_MANAGE_TOKENS] = ROLE_ADMIN,
};

static int check_role(const Caller *c, Action a, GvtError *e)
{
	if (c->role >= action_roles[a])
		return 0;
	return gvt_error_set(e, GVT_ERROR_NOT_PERMITTED, "The token of \"%s\" has role %s; to %s takes role %s",
			     strempty(c->owner), role_to_string(c->role), actions[a].description,
			     role_to_string(action_roles[a]));
}

const char *action_to_polkit_id(Action a)
{
	return a >= 0 && a < _ACTION_MAX ? actions[a].polkit_id : NULL;
}

int auth_caller_name(const Caller *c, char ret[OWNER_NAME_MAX + 1])
{
	struct passwd pw, *result = NULL;
	char buf[4096];
	int r;

	if (c->role != ROLE_NONE) {
		if (!owner_name_is_valid(strempty(c->owner)))
			return -ENOENT;
		strcpy(ret, c->owner);
		return 0;
	}
	/* uid 0 is the administrator whatever passwd calls it; and no NSS round trip (nscd, userdb) per call. */
	if (c->uid == 0) {
		strcpy(ret, OWNER_ADMIN);
		return 0;
	}
	r = getpwuid_r(c->uid, &pw, buf, sizeof(buf), &result);
	if (r != 0)
		return -r;
	if (!result || !owner_name_is_valid(result->pw_name))
		return -ENOENT;
	strcpy(ret, result->pw_name);
	return 0;
}

Action auth_action_for_owner(const Caller *c, const char *owner)
{
	char name[OWNER_NAME_MAX + 1];

	if (auth_caller_name(c, name) >= 0 && streq(name, owner))
		return ACTION_MANAGE_OWN_VGPUS;
	return ACTION_MANAGE_VGPUS;
}

Action auth_action_for_uuid(Manager *m, const Caller *c, const char *uuid)
{
	return auth_action_for_owner(c, manager_owner_of(m, uuid));
}

int auth_owner_and_action(const Caller *c, const char *explicit, char own[OWNER_NAME_MAX + 1],
			  const char **ret_owner, Action *ret_action, GvtError *e)
{
	int r;

	if (!isempty(explicit) && (r = validate_owner(explicit, e)) < 0)
		return r;
	if (auth_caller_name(c, own) < 0)
		own[0] = '\0';
	*ret_owner = isempty(explicit) ? own : explicit;
	*ret_action = !isempty(own) && streq(own, *ret_owner) ? ACTION_MANAGE_OWN_VGPUS : ACTION_MANAGE_VGPUS;
	return 0;
}

int auth_process_start_time(pid_t pid, uint64_t *ret)
{
	char path[64], buf[1024], *p;
	unsigned long long t;
	_cleanup_fclose_ FILE *f = NULL;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	/* comm (field 2) is in parentheses and may hold spaces and parentheses: fields 3.. follow the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return -EIO;
	p++;
	for (int field = 3; field < 22; field++) {
		p += strspn(p, " ");
		p += strcspn(p, " ");
	}
	if (sscanf(p, " %llu", &t) != 1)
		return -EIO;
	*ret = t;
	return 0;
}

static bool caller_in_group(const Caller *c, gid_t gid)
{
	if (c->gid == gid)
		return true;
	for (size_t i = 0; i < c->n_groups; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

int auth_check(Manager *m, const Caller *c, Action a, GvtError *e)
{
	const char *group = m->config.admin_group;
	struct group *g;

	if (c->role != ROLE_NONE)
		return check_role(c, a, e);
	if (c->uid == 0)
		return 0;
	g = isempty(group) ? NULL : getgrnam(group);
	if (g && caller_in_group(c, g->gr_gid))
		return 0;
	if (isempty(group))
		return gvt_error_set(e, GVT_ERROR_NOT_PERMITTED, "Only root may %s", actions[a].description);
	return gvt_error_set(e, GVT_ERROR_NOT_PERMITTED,
			     "Only root and members of group \"%s\" may %s: ask an administrator to add uid %u to it%s",
			     group, actions[a].description, (unsigned) c->uid, g ? "" : " (the group does not exist yet)");
}

typedef struct Pending {
	Manager *manager;
	Caller caller;            /* uid, gid and groups: the fallback reads them later */
	Action action;
	AuthDone done;
	void *userdata;
	gid_t groups[];           /* caller.groups points here */
} Pending;

static void on_polkit(int r, bool authorized, void *userdata)
{
	_cleanup_free_ Pending *p = userdata;
	GvtError e = {};

	/*
	 * auto: polkit not running, or not knowing our actions (policy not
	 * installed). Not when it runs and did not decide (no reply, an
	 * error): that is no permission, not a reason to ask the group.
	 */
	if (r == -EHOSTUNREACH && p->manager->config.polkit == POLKIT_AUTO) {
		log_debug("polkit could not decide: deciding by group membership.");
		r = auth_check(p->manager, &p->caller, p->action, &e);
	} else if (r < 0)
		r = gvt_error_set(&e, GVT_ERROR_NOT_PERMITTED,
				  "polkit did not decide whether uid %u may %s (%s), so it is refused: try again, "
				  "or check polkitd (journalctl -u polkit)",
				  (unsigned) p->caller.uid, actions[p->action].description,
				  r == -ETIMEDOUT ? "no answer in time" : strerror(-r));
	else if (!authorized)
		r = gvt_error_set(&e, GVT_ERROR_NOT_PERMITTED,
				  "Not authorized to %s (polkit action %s denied for uid %u)",
				  actions[p->action].description, actions[p->action].polkit_id, (unsigned) p->caller.uid);
	p->done(r < 0 ? r : 0, &e, p->userdata);
}

int auth_authorize(Manager *m, const Caller *c, Action a, bool interactive, AuthDone done, void *userdata,
		   GvtError *e)
{
	PolkitSubject s = { .bus_name = c->bus_name, .pid = c->pid, .start_time = c->start_time, .uid = c->uid };
	Pending *p;
	int r;

	if (c->role != ROLE_NONE) {
		r = check_role(c, a, e);
		return r < 0 ? r : 1;
	}
	if (c->uid == 0)
		return 1;
	if (m->config.polkit == POLKIT_NO) {
		r = auth_check(m, c, a, e);
		return r < 0 ? r : 1;
	}
	if (!m->polkit) {
		/* Nobody to ask (no D-Bus side wired in): as if polkit did not answer. */
		if (m->config.polkit == POLKIT_AUTO) {
			r = auth_check(m, c, a, e);
			return r < 0 ? r : 1;
		}
		return gvt_error_set_errno(e, EHOSTUNREACH, "Cannot ask polkit");
	}
	if (!s.bus_name && s.start_time == 0)
		return gvt_error_set(e, GVT_ERROR_NOT_PERMITTED,
				     "Cannot ask polkit about process %d of uid %u: its start time is unknown (it exited?), "
				     "so a later process with its pid could be asked about instead",
				     (int) c->pid, (unsigned) c->uid);
	/*
	 * The caller's groups live in its message or socket, gone when polkit
	 * answers: copy them, or a member of the admin group by a supplementary
	 * group (usermod -aG) would be refused when polkit cannot decide.
	 */
	p = calloc(1, sizeof(*p) + c->n_groups * sizeof(gid_t));
	if (!p)
		return gvt_error_set_errno(e, ENOMEM, "Failed to ask polkit");
	*p = (Pending) { .manager = m, .caller = { .uid = c->uid, .gid = c->gid, .n_groups = c->n_groups },
			 .action = a, .done = done, .userdata = userdata };
	if (c->n_groups)
		memcpy(p->groups, c->groups, c->n_groups * sizeof(gid_t));
	p->caller.groups = p->groups;
	r = polkit_check(m->polkit, &s, actions[a].polkit_id, interactive, on_polkit, p);
	if (r >= 0)
		return 0;
	free(p);
	if (r == -EHOSTUNREACH && m->config.polkit == POLKIT_AUTO) {
		r = auth_check(m, c, a, e);
		return r < 0 ? r : 1;
	}
	return gvt_error_set_errno(e, r, "Cannot ask polkit");
}
