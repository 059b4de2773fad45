/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Who may change things. Reading is open to everyone; changing needs root or
 * membership in the configured group. Adapters find out who the caller is and
 * ask here; the decision is the core's.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "errors.h"

typedef struct Manager Manager;

typedef struct Caller {
	uid_t uid;
	gid_t gid;
	const gid_t *groups;      /* supplementary groups */
	size_t n_groups;
} Caller;

typedef enum Action {
	ACTION_MANAGE_VGPUS,
	ACTION_MANAGE_MODULES,
	_ACTION_MAX,
} Action;

int auth_check(Manager *m, const Caller *c, Action a, GvtError *e);
