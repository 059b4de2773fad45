/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The leaf of the D-Bus adapter: who calls (one Caller per message, as the
 * REST adapter has one per request), the core's authorization of a call
 * (polkit's answer re-dispatches it), object paths, and the one shape of a
 * call on one vGPU or definition by UUID. Calls nothing above it.
 */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "auth.h"
#include "errors.h"
#include "lifecycle.h"

typedef struct Manager Manager;
typedef struct AuthQuery AuthQuery;

/* What the adapter's calls share: the core, and the calls waiting for polkit or re-dispatched. */
typedef struct BusCalls {
	Manager *manager;
	sd_bus *bus;              /* NULL while disconnected */
	AuthQuery *auth_queries;
} BusCalls;

void bus_calls_done(BusCalls *calls);
/* A new bus (the daemon restarted) may give the unique names out again. */
void bus_calls_forget_callers(void);

/* The caller of one message; caller.groups point into creds. */
typedef struct BusCaller {
	Caller caller;
	sd_bus_creds *creds;
} BusCaller;

int bus_caller_get(sd_bus_message *message, BusCaller *ret);
void bus_caller_done(BusCaller *c);

/*
 * The core's authorization of c for this call: > 0 allowed; < 0 denied
 * (error set); 0 polkit was asked, the handler returns 1 and is called
 * again with the same message once the answer is in.
 */
int bus_authorize(BusCalls *calls, sd_bus_message *message, const Caller *c, Action action, bool interactive,
		  sd_bus_error *error);

/* The one map from the core's errors to org.gvtd1.Error.* (dbus-error.c). */
int bus_error_from_gvt(sd_bus_error *ret, int r, const GvtError *e);

int bus_vgpu_path(const char *uuid, char **ret);
int bus_parent_path(const char *name, char **ret);
/* path is the object path of name (path_of: bus_vgpu_path or bus_parent_path). */
bool bus_path_is(const char *path, int (*path_of)(const char *, char **), const char *name);
/* The paths of n inventory objects, for a node enumerator. */
typedef struct Inventory Inventory;
int bus_enumerate(char ***nodes, size_t n, const char *(*name)(const Inventory *, size_t),
		  int (*path)(const char *, char **), const Inventory *inv);

/*
 * A core call on one vGPU or definition by UUID (remove, start, stop,
 * undefine), authorized as its owner's or anyone's. The async ones reply
 * with the vGPU's object path if reply_path, the others with nothing.
 */
typedef int (*BusUuidOp)(Manager *m, const char *uuid, GvtError *e);
/* An operation that may end later (lifecycle.h's OperationDone): < 0 now, 1 done now, 0 done later. */
typedef int (*BusUuidAsyncOp)(Manager *m, const char *uuid, OperationDone done, void *userdata, GvtError *e);
/*
 * A reply that waits for the core: the method call (referenced) and what
 * the reply carries when the operation succeeded.
 */
typedef enum BusReplyShape {
	BUS_REPLY_EMPTY,
	BUS_REPLY_PATH,           /* "o": the vGPU's object path */
	BUS_REPLY_PATH_AND_UUID,  /* "os": CreateVGPU's */
} BusReplyShape;
typedef struct BusLater BusLater;
BusLater *bus_later_new(sd_bus_message *message, BusReplyShape shape, const char *uuid);
BusLater *bus_later_free(BusLater *l);
/* An OperationDone whose userdata is a BusLater: its reply or the error; frees it. */
void bus_reply_when_done(Manager *m, int r, const GvtError *e, void *userdata);
/*
 * A core call that may end later: call(m, args, id, done, userdata, e)
 * returns < 0 (e), 1 done now, or 0 and done later; it may set id (empty
 * first) to the vGPU's UUID for the reply, else uuid is used.
 */
typedef int (*BusAsyncCall)(Manager *m, const void *args, char id[GVT_UUID_STRING_MAX], OperationDone done,
			    void *userdata, GvtError *e);
int bus_reply_async(BusCalls *calls, sd_bus_message *message, BusReplyShape shape, const char *uuid,
		    BusAsyncCall call, const void *args, sd_bus_error *error);
/* bus_uuid_call() for such an operation: the reply (or the error) goes out when it ended. */
int bus_uuid_call_async(BusCalls *calls, sd_bus_message *message, const char *uuid, bool interactive,
			BusUuidAsyncOp op, bool reply_path, sd_bus_error *error);
/* A method of arguments (s uuid, b interactive) that runs op: RemoveVGPU, StartVGPU, StopVGPU. */
int bus_uuid_method_async(BusCalls *calls, sd_bus_message *message, BusUuidAsyncOp op, bool reply_path,
			  sd_bus_error *error);
int bus_uuid_call(BusCalls *calls, sd_bus_message *message, const char *uuid, bool interactive, BusUuidOp op,
		  sd_bus_error *error);
