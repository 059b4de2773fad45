/* SPDX-License-Identifier: GPL-2.0-only */
/* The roles a REST token gives (auth.c decides by them) and their names: below auth.c and tokens.c both. */
#pragma once

typedef enum Role {
	ROLE_NONE,                /* a local caller: decided by uid and groups */
	ROLE_READER,              /* reads only */
	ROLE_USER,                /* + creates and removes vGPUs */
	ROLE_ADMIN,               /* + loads and unloads the modules */
	_ROLE_MAX,
	_ROLE_INVALID = -1,
} Role;

/* "none", "reader", "user", "admin"; NULL for anything else. */
const char *role_to_string(Role r);
/* reader, user or admin ("none" is no role a token may have); _ROLE_INVALID otherwise. */
Role role_from_string(const char *s);
