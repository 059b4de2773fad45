/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The D-Bus adapter: org.gvtd1 on the system bus (docs/dbus-api.md). It
 * translates calls into core calls and core events into signals; the
 * decisions (validation, authorization, capacity) are the core's.
 */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "dbus-call.h"
#include "errors.h"
#include "inventory.h"

typedef struct Manager Manager;

/* A direct connection on the private socket (dbus-private.c). */
typedef struct BusAdapter BusAdapter;
typedef struct BusPeer {
	BusAdapter *adapter;
	sd_bus *bus;
	struct BusPeer *next;
} BusPeer;

struct BusAdapter {
	BusCalls calls;           /* first: the handlers' userdata is the adapter, and its calls */
	char *address;            /* NULL: the system bus */
	sd_event_source *reconnect_timer;
	/* The private socket: root's direct connections, no broker in between. */
	char *private_path;
	sd_event_source *private_listener;
	BusPeer *peers;
	unsigned n_peers;
};

/*
 * Connects, exports the objects and takes the name; reconnects by itself if
 * the bus goes away. private_path: where root's clients may connect
 * directly (NULL: nowhere).
 */
int bus_adapter_new(Manager *m, const char *address, const char *private_path, BusAdapter **ret);
BusAdapter *bus_adapter_free(BusAdapter *b);
/* The objects of org.gvtd1 on one connection: the bus, or a direct one (dbus-objects.c). */
int bus_export(BusAdapter *b, sd_bus *bus);

/* The private socket (dbus-private.c): listens, serves root's peers, each until it hangs up. */
int bus_private_listen(BusAdapter *b, const char *path);
void bus_private_close(BusAdapter *b);

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
int bus_method_list_unreadable_definitions(sd_bus_message *message, void *userdata, sd_bus_error *error);
int bus_method_list_quotas(sd_bus_message *message, void *userdata, sd_bus_error *error);
int bus_method_set_quota(sd_bus_message *message, void *userdata, sd_bus_error *error);
/* Manager methods for the REST API's tokens (dbus-tokens.c). */
int bus_method_add_token(sd_bus_message *message, void *userdata, sd_bus_error *error);
int bus_method_list_tokens(sd_bus_message *message, void *userdata, sd_bus_error *error);
int bus_method_revoke_token(sd_bus_message *message, void *userdata, sd_bus_error *error);
/* CreateVGPU and CreateVGPUEx after authorization: the core's create-or-match, replied as "os". */
typedef struct VgpuSpec VgpuSpec;
int bus_reply_create(BusAdapter *b, sd_bus_message *message, const VgpuSpec *spec, sd_bus_error *error);

int bus_vgpu_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
		  sd_bus_error *error);
int bus_parent_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
		    sd_bus_error *error);
int bus_vgpu_enumerate(sd_bus *bus, const char *prefix, void *userdata, char ***nodes, sd_bus_error *error);
int bus_parent_enumerate(sd_bus *bus, const char *prefix, void *userdata, char ***nodes, sd_bus_error *error);

/* One GVT_TYPE_SIG entry of a type (Parent.Types, Manager.ListTypes). */
int bus_append_type(sd_bus_message *reply, const Parent *p, const MdevType *t);

