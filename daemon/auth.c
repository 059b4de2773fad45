// SPDX-License-Identifier: GPL-2.0-only
#include <grp.h>

#include "auth.h"
#include "manager.h"

static const char *const action_descriptions[_ACTION_MAX] = {
	[ACTION_MANAGE_VGPUS] = "create or remove vGPUs",
	[ACTION_MANAGE_MODULES] = "load or unload the GVT modules",
};

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

	if (c->uid == 0)
		return 0;
	g = isempty(group) ? NULL : getgrnam(group);
	if (g && caller_in_group(c, g->gr_gid))
		return 0;
	if (isempty(group))
		return gvt_error_set(e, GVT_ERROR_NOT_PERMITTED, "Only root may %s", action_descriptions[a]);
	return gvt_error_set(e, GVT_ERROR_NOT_PERMITTED,
			     "Only root and members of group \"%s\" may %s: ask an administrator to add uid %u to it%s",
			     group, action_descriptions[a], (unsigned) c->uid, g ? "" : " (the group does not exist yet)");
}
