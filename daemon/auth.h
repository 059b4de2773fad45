/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Who may change things. Reading is open to everyone; root may do
 * everything. For other callers polkit decides (systemd/org.gvtd1.policy),
 * or, where polkit is off or not running (Access.Polkit=), membership in
 * Access.AdminGroup. Adapters find out who the caller is and ask here; the
 * decision is the core's. Quotas are checked separately, by the operation.
 * A token caller (REST over TCP) is decided by its token's role alone.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "errors.h"
#include "owners.h"
#include "role.h"

typedef struct Manager Manager;

typedef struct Caller {
	uid_t uid;
	gid_t gid;
	const gid_t *groups;      /* supplementary groups */
	size_t n_groups;
	const char *bus_name;     /* a D-Bus caller's unique name; NULL for others */
	pid_t pid;                /* a local process (REST on the unix socket), for polkit */
	uint64_t start_time;      /* pid's start time (clock ticks since boot, /proc/PID/stat field 22), read
	                           * when its credentials were: polkit refuses a later process of that pid */
	Role role;                /* set for token callers; uid and groups are then ignored */
	const char *owner;        /* a token's owner */
} Caller;

typedef enum Action {
	ACTION_MANAGE_OWN_VGPUS,  /* org.gvtd1.manage-own-vgpus: as owner, within quota */
	ACTION_MANAGE_VGPUS,      /* org.gvtd1.manage-vgpus: anyone's, or for another owner */
	ACTION_SET_QUOTAS,        /* org.gvtd1.set-quotas */
	ACTION_MANAGE_MODULES,    /* org.gvtd1.manage-modules */
	ACTION_MANAGE_TOKENS,     /* org.gvtd1.manage-tokens: REST API tokens */
	_ACTION_MAX,
} Action;

const char *action_to_polkit_id(Action a);

/* The caller's user name, the owner it acts as by default; -ENOENT without a passwd entry. */
int auth_caller_name(const Caller *c, char ret[OWNER_NAME_MAX + 1]);

/* ACTION_MANAGE_OWN_VGPUS if c acts on (or for) owner == its own name, else ACTION_MANAGE_VGPUS. */
Action auth_action_for_owner(const Caller *c, const char *owner);
/* The action for acting on the vGPU or definition uuid: as its owner, or on anyone's. */
Action auth_action_for_uuid(Manager *m, const Caller *c, const char *uuid);

/*
 * Whom a create or define is for, and what that takes: explicit (validated)
 * if not NULL/"", else the caller itself. own receives the caller's name
 * ("" for a uid without one, who owns nothing but may act for others if
 * authorized); *ret_owner points to explicit or own.
 */
int auth_owner_and_action(const Caller *c, const char *explicit, char own[OWNER_NAME_MAX + 1],
			  const char **ret_owner, Action *ret_action, GvtError *e);

/*
 * The start time of pid (field 22 of /proc/PID/stat, clock ticks since boot):
 * with the pid, what polkit's unix-process subject names one process by.
 * -ESRCH if there is no such process.
 */
int auth_process_start_time(pid_t pid, uint64_t *ret);

/* The rule without polkit: root, or a member of AdminGroup; synchronous. */
int auth_check(Manager *m, const Caller *c, Action a, GvtError *e);

/* r == 0: allowed; else denied with e explaining. */
typedef void (*AuthDone)(int r, const GvtError *e, void *userdata);

/*
 * Returns 1 if allowed at once, < 0 (e filled) if denied at once, 0 if
 * polkit was asked: done runs exactly once later, from the loop. interactive
 * lets polkit ask the user through an authentication agent.
 */
int auth_authorize(Manager *m, const Caller *c, Action a, bool interactive, AuthDone done, void *userdata,
		   GvtError *e);
