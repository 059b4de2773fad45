/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The D-Bus adapter: org.gvtd1 on the system bus (docs/dbus-api.md). It
 * translates calls into core calls and core events into signals; the
 * decisions (validation, authorization, capacity) are the core's.
 */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "auth.h"
#include "errors.h"
#include "inventory.h"

typedef struct Manager Manager;

typedef struct BusAdapter {
	Manager *manager;
	sd_bus *bus;
	char *address;            /* NULL: the system bus */
	sd_event_source *reconnect_timer;
	struct AuthQuery *auth_queries;  /* calls waiting for polkit, or answered and re-dispatched */
} BusAdapter;

/* Connects, exports the objects and takes the name; reconnects by itself if the bus goes away. */
int bus_adapter_new(Manager *m, const char *address, BusAdapter **ret);
BusAdapter *bus_adapter_free(BusAdapter *b);

/* The one map from the core's errors to org.gvtd1.Error.* (dbus-error.c). */
int bus_error_from_gvt(sd_bus_error *ret, int r, const GvtError *e);

/* vtables and helpers shared by the object files */
extern const sd_bus_vtable bus_manager_vtable[];
extern const sd_bus_vtable bus_vgpu_vtable[];
extern const sd_bus_vtable bus_parent_vtable[];

/* Manager methods for definitions and quotas (dbus-definitions.c). */
int bus_method_create_vgpu_ex(sd_bus_message *message, void *userdata, sd_bus_error *error);
int bus_method_define_vgpu(sd_bus_message *message, void *userdata, sd_bus_error *error);
int bus_method_undefine_vgpu(sd_bus_message *message, void *userdata, sd_bus_error *error);
int bus_method_start_vgpu(sd_bus_message *message, void *userdata, sd_bus_error *error);
int bus_method_stop_vgpu(sd_bus_message *message, void *userdata, sd_bus_error *error);
int bus_method_modify_definition(sd_bus_message *message, void *userdata, sd_bus_error *error);
int bus_method_list_definitions(sd_bus_message *message, void *userdata, sd_bus_error *error);
int bus_method_list_quotas(sd_bus_message *message, void *userdata, sd_bus_error *error);
int bus_method_set_quota(sd_bus_message *message, void *userdata, sd_bus_error *error);

int bus_vgpu_path(const char *uuid, char **ret);
int bus_parent_path(const char *name, char **ret);
int bus_vgpu_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
		  sd_bus_error *error);
int bus_parent_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
		    sd_bus_error *error);
int bus_vgpu_enumerate(sd_bus *bus, const char *prefix, void *userdata, char ***nodes, sd_bus_error *error);
int bus_parent_enumerate(sd_bus *bus, const char *prefix, void *userdata, char ***nodes, sd_bus_error *error);

/* One GVT_TYPE_SIG entry of a type (Parent.Types, Manager.ListTypes). */
int bus_append_type(sd_bus_message *reply, const Parent *p, const MdevType *t);

/* The caller's identity; the groups point into *ret_creds, which the caller unrefs. */
int bus_caller(sd_bus_message *message, Caller *c, sd_bus_creds **ret_creds);
/* The caller's user name, "" if its uid has none. */
int bus_caller_owner(sd_bus_message *message, char ret[OWNER_NAME_MAX + 1]);

/*
 * The core's authorization for this call: > 0 allowed; < 0 denied (error
 * set); 0 polkit was asked, the handler returns 1 and is called again with
 * the same message once the answer is in.
 */
int bus_authorize(BusAdapter *b, sd_bus_message *message, int action, bool interactive, sd_bus_error *error);
/* The action for acting on something of owner: own or anyone's. */
int bus_action_for_owner(sd_bus_message *message, const char *owner);
/*
 * A core call on one vGPU or definition by UUID (remove, start, stop,
 * undefine), authorized as its owner's or anyone's; replies to message.
 */
typedef int (*BusUuidOp)(Manager *m, const char *uuid, GvtError *e);
int bus_uuid_call(BusAdapter *b, sd_bus_message *message, const char *uuid, bool interactive, BusUuidOp op,
		  sd_bus_error *error);
