// SPDX-License-Identifier: GPL-2.0-only
#include "macro.h"
#include "role.h"

static const char *const role_names[_ROLE_MAX] = {
	[ROLE_NONE] = "none",
	[ROLE_READER] = "reader",
	[ROLE_USER] = "user",
	[ROLE_ADMIN] = "admin",
};

const char *role_to_string(Role r)
{
	return r >= 0 && r < _ROLE_MAX ? role_names[r] : NULL;
}

Role role_from_string(const char *s)
{
	for (Role r = ROLE_READER; r < _ROLE_MAX; r++)
		if (s && streq(s, role_names[r]))
			return r;
	return _ROLE_INVALID;
}
