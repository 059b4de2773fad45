/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Creating and removing (transient) vGPUs. Every argument is validated and
 * every check that can be made is made before anything is written to sysfs.
 */
#pragma once

#include "errors.h"
#include "sysfs.h"

typedef struct Manager Manager;

/*
 * parent may be NULL/"" (the first parent offering the type with room),
 * uuid may be NULL/"" (generated). On success ret_uuid holds the new vGPU's
 * UUID and it is in m->inventory, its events emitted.
 */
int lifecycle_create(Manager *m, const char *parent, const char *type, const char *uuid,
		     char ret_uuid[GVT_UUID_STRING_MAX], GvtError *e);

int lifecycle_remove(Manager *m, const char *uuid, GvtError *e);

/* The checks alone, for adapters that want to fail early; also used by create. */
int lifecycle_validate_name(const char *what, const char *value, GvtError *e);
int lifecycle_validate_uuid(const char *value, char ret[GVT_UUID_STRING_MAX], GvtError *e);
