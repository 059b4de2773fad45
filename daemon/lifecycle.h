/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The device layer: what a caller names resolved against the inventory
 * (names, UUID, parent and type, room), a resolved type created in sysfs
 * with its attributes, a device removed unless a VMM holds it open. Knows
 * nothing of definitions, owners or quotas: transient.c and definitions.c
 * build the operations on it.
 */
#pragma once

#include <stdbool.h>

#include "callouts.h"
#include "errors.h"
#include "inventory.h"
#include "mdevctl.h"
#include "quotas.h"
#include "sysfs.h"
#include "validate.h"

typedef struct Manager Manager;

/* What a caller asks for, for a transient create or a definition. */
typedef struct VgpuSpec {
	const char *parent;       /* NULL/"": the first parent offering type (with room, for create) */
	const char *type;
	const char *uuid;         /* NULL/"": generated */
	const char *owner;        /* NULL/"": OWNER_ADMIN */
	bool autostart;           /* definitions only */
	bool start;               /* definitions_define_or_match: start it too (also on a retry) */
	const Attr *attrs;        /* written in order after the create */
	size_t n_attrs;
} VgpuSpec;

/*
 * The type id that type names: itself if some parent (parent, if not
 * NULL/"") offers it by id, else the one id whose short name (the type's
 * "name" attribute, e.g. "GVTg_V5_4") it is, there or on any parent. A
 * short name of several ids is GVT_ERROR_INVALID_ARGUMENT listing them.
 * Naming nothing is not an error here: *ret = type, and the caller reports
 * it. *ret points into the inventory or is type.
 */
int lifecycle_resolve_type(Manager *m, const char *parent, const char *type, const char **ret, GvtError *e);

/* Names, UUID (generated if empty) and the parent/type pair, as create and define need them. */
int lifecycle_resolve(Manager *m, const VgpuSpec *spec, bool need_room, Parent **ret_parent,
		      MdevType **ret_type, char ret_uuid[GVT_UUID_STRING_MAX], GvtError *e);

/*
 * The sysfs create of a resolved type, then the attributes in order; undone
 * on failure. The caller made its freshness step: uuid was read from sysfs.
 * In the calling thread: for the loop's own starts (autostart).
 */
int lifecycle_create_device(Manager *m, Parent *p, MdevType *t, const char *uuid, const Attr *attrs,
			    size_t n_attrs, GvtError *e);
/*
 * An operation that may wait for the kernel: its end, on the loop. r and e
 * as a synchronous call's return and error.
 */
typedef void (*OperationDone)(Manager *m, int r, const GvtError *e, void *userdata);

/*
 * What the caller of such an operation keeps until its end: the vGPU, the
 * callouts around it (its callouts_pre fills them), whom to tell.
 */
typedef struct OperationCall {
	char uuid[GVT_UUID_STRING_MAX];  /* not the callouts': those are empty with [Callouts] Enabled=no */
	Callouts callouts;
	OperationDone done;
	void *userdata;
} OperationCall;

OperationCall *operation_call_new(const char *uuid, OperationDone done, void *userdata, GvtError *e);
/* The post callouts with the outcome, then done; frees c. */
void operation_call_end(Manager *m, OperationCall *c, int r, const GvtError *e);
/* The operation did not start after the pre callouts: their post with failure; frees c. */
void operation_call_cancel(OperationCall *c);

/*
 * The same off the loop (device-ops.c): 0 and done later, when the kernel
 * answered (never from within this call), or < 0 with e now. owner and
 * usage: what the owner's quota counts for it meanwhile (usage NULL: none,
 * a definition holds it already).
 */
int lifecycle_create_device_async(Manager *m, Parent *p, MdevType *t, const char *uuid, const Attr *attrs,
				  size_t n_attrs, const char *owner, const Usage *usage, OperationDone done,
				  void *userdata, GvtError *e);
/*
 * The sysfs remove, in the calling thread: for a device nobody can have
 * open yet (the undo of a failed create). GVT_ERROR_BUSY while the gvt genl
 * family says the vGPU is open or a removal of it is under way.
 */
int lifecycle_remove_device(Manager *m, const char *uuid, GvtError *e);
/*
 * The same off the loop (device-ops.c): 0 and done later, once the kernel
 * let go (never from within this call), or < 0 with e now.
 */
int lifecycle_remove_device_async(Manager *m, const char *uuid, OperationDone done, void *userdata, GvtError *e);
/* GVT_ERROR_BUSY if a create or removal of uuid is under way. */
int lifecycle_refuse_if_busy(Manager *m, const char *uuid, GvtError *e);
