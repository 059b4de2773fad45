/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The D-Bus adapter: org.gvtd1 on the system bus (docs/dbus-api.md). It
 * translates calls into core calls and core events into signals; the
 * decisions (validation, authorization, capacity) are the core's.
 */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "errors.h"
#include "inventory.h"

typedef struct Manager Manager;

typedef struct BusAdapter {
	Manager *manager;
	sd_bus *bus;
	char *address;            /* NULL: the system bus */
	sd_event_source *reconnect_timer;
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

/* Caller identity from the message, then the core's authorization. */
int bus_check_authorized(BusAdapter *b, sd_bus_message *message, int action, sd_bus_error *error);
/* Core remove, shared by Manager.RemoveVGPU and VGPU.Remove. */
int bus_remove_vgpu(BusAdapter *b, sd_bus_message *message, const char *uuid, sd_bus_error *error);
