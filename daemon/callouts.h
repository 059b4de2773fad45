/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mdevctl's callout scripts, run around gvtd's own operations with
 * mdevctl's arguments, so that a script written for mdevctl works under
 * gvtd (the contract, read from mdevctl's source: docs/callouts.md):
 *
 *   SCRIPT -t TYPE -e pre|post|notify -a start|stop|define|undefine|modify
 *          -s none|success|failure -u UUID -p PARENT
 *
 * pre and post: ROOT/usr/lib/mdevctl/scripts.d/callouts, then
 * ROOT/etc/mdevctl.d/scripts.d/callouts, each in name order; the first
 * script that runs and exits other than 2 ("not my type") handles the
 * event, the rest are not run. A pre that exits non-zero vetoes the
 * operation; the post goes to the script that handled the pre, with the
 * operation's outcome; its status is logged, not acted on. stdin: the
 * vGPU's definition in mdevctl's JSON. notify: every script in the
 * scripts.d/notifiers directories, the same stdin, status logged.
 *
 * Blocking, with no globals and no event loop: every function here may run
 * on a worker thread. gvtd, unlike mdevctl, kills a script (its process
 * group) that runs longer than a timeout.
 */
#pragma once

#include <limits.h>
#include <stdbool.h>

#include "config.h"
#include "errors.h"
#include "mdevctl.h"

typedef enum CalloutEvent {
	CALLOUT_EVENT_PRE,
	CALLOUT_EVENT_POST,
	CALLOUT_EVENT_NOTIFY,
	_CALLOUT_EVENT_MAX,
} CalloutEvent;

typedef enum CalloutAction {
	CALLOUT_ACTION_START,
	CALLOUT_ACTION_STOP,
	CALLOUT_ACTION_DEFINE,
	CALLOUT_ACTION_UNDEFINE,
	CALLOUT_ACTION_MODIFY,
	_CALLOUT_ACTION_MAX,
} CalloutAction;

typedef enum CalloutState {
	CALLOUT_STATE_NONE,       /* pre: nothing done yet */
	CALLOUT_STATE_SUCCESS,
	CALLOUT_STATE_FAILURE,
	_CALLOUT_STATE_MAX,
} CalloutState;

const char *callout_event_to_string(CalloutEvent i);
int callout_event_from_string(const char *s);
const char *callout_action_to_string(CalloutAction i);
int callout_action_from_string(const char *s);
const char *callout_state_to_string(CalloutState i);
int callout_state_from_string(const char *s);

/* The vGPU a callout is about, as mdevctl names it. */
typedef struct CalloutDevice {
	const char *uuid;
	const char *parent;
	const char *type;
	const char *json;         /* stdin; NULL: empty */
} CalloutDevice;

/* How one script ended. */
typedef struct CalloutExit {
	int status;               /* its exit status; -1 if a signal ended it */
	int signal;               /* that signal, or 0 */
	bool timed_out;           /* gvtd killed it after the timeout */
	char first_line[256];     /* of its stderr, valid UTF-8 */
} CalloutExit;

/*
 * Runs the script at path once: mdevctl's arguments, dev->json on stdin,
 * stdout discarded, stderr logged line by line under the script's name.
 * After timeout_ms its process group is killed (ret->timed_out). < 0: it
 * could not be started (-EACCES: not executable, -ENOEXEC, -ENOENT...).
 */
int callout_exec(const char *path, CalloutEvent event, CalloutAction action, CalloutState state,
		 const CalloutDevice *dev, unsigned timeout_ms, CalloutExit *ret);

/*
 * pre or post as mdevctl runs them: if script is set (the pre's handler),
 * only that script, else the search above, which sets script to the
 * handler. 1: a script handled it and *ret says how it ended; 0: none did
 * (no directory, none executable, all "not my type" or killed by a signal).
 */
int callouts_invoke(const char *root, CalloutEvent event, CalloutAction action, CalloutState state,
		    const CalloutDevice *dev, unsigned timeout_ms, char script[PATH_MAX], CalloutExit *ret);

/* notify: every notifier, in name order, dev->json on stdin; the statuses are logged. */
void callouts_notify(const char *root, CalloutAction action, CalloutState state, const CalloutDevice *dev,
		     unsigned timeout_ms);

/* One operation's callouts, from its pre to its post. */
typedef struct Callouts {
	bool enabled;
	const char *root;         /* the config's, not owned */
	unsigned timeout_ms;
	CalloutAction action;
	char uuid[GVT_UUID_STRING_MAX];
	char *parent;
	char *type;
	char *json;
	char script[PATH_MAX];    /* the pre's handler; "" if none */
} Callouts;

/*
 * The pre of action on d (for start and define the definition to be; for
 * a transient vGPU, its type and parent with no attributes, "manual"). A
 * veto is GVT_ERROR_VETOED naming the script, its exit status (or its
 * timeout) and its stderr's first line; the notifiers have been told
 * (state "none", as mdevctl does), nothing is to be done, and *c needs no
 * callouts_post(). On success callouts_post() must follow.
 * With [Callouts] Enabled=no in the config nothing runs.
 */
int callouts_pre(const Config *config, CalloutAction action, const Definition *d, Callouts *c, GvtError *e);

/* The same for a vGPU as mdevctl sees one with no definition: "manual", attrs as given. */
int callouts_pre_vgpu(const Config *config, CalloutAction action, const char *uuid, const char *parent,
		      const char *type, const Attr *attrs, size_t n_attrs, Callouts *c, GvtError *e);

/* The post (to the pre's handler) with the outcome, then the notifiers; frees what *c holds. */
void callouts_post(Callouts *c, bool succeeded);
