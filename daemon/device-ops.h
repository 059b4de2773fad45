/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vGPU creates and removals off the loop. The kernel may hold a write to
 * sysfs for as long as it likes: the 6.1 kernel holds a write to an open
 * vGPU's "remove" until its user closes the device (vfio asks the user to
 * through the request IRQ), which can be forever, and a vendor driver's
 * create or attribute write runs its own init under the write. Each write
 * runs in a thread of its own and the loop hears of its end through an
 * eventfd, so D-Bus, REST and the event stream go on meanwhile.
 *
 * A removal still held after REMOVAL_SLOW_USEC puts its vGPU in state
 * "removing" (an event, and a log line naming the process that has it
 * open) until the kernel lets go. While an operation is under way, another
 * on that vGPU is Busy; a create under way counts in its owner's quota
 * usage until its vGPU is in the inventory.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "mdevctl.h"
#include "quotas.h"

typedef struct Manager Manager;
typedef struct DeviceOp DeviceOp;

#define REMOVAL_SLOW_USEC (500 * 1000)

typedef enum DeviceOpKind {
	DEVICE_OP_CREATE,
	DEVICE_OP_REMOVE,
} DeviceOpKind;

/*
 * What the kernel said. r: 0 or the failing write's -errno. A create's
 * failed_attr is the index of the attribute whose write failed (the vGPU
 * then removed again, undo_r that removal's result), n_attrs if the create
 * itself failed.
 */
typedef struct DeviceOpResult {
	int r;
	size_t failed_attr;
	int undo_r;
} DeviceOpResult;

/* On the loop, once the kernel answered. */
typedef void (*DeviceOpDone)(Manager *m, const char *uuid, const DeviceOpResult *res, void *userdata);

typedef struct DeviceOps {
	DeviceOp *first;
} DeviceOps;

/*
 * The create of a vGPU and its attributes, in order, as one thread does it:
 * writes type's create on parent, then each attribute; an attribute that
 * fails removes the vGPU again. Blocking: the thread's work, and the
 * whole of a create the loop makes in place (autostart).
 */
void device_create_now(const char *root, const char *parent, const char *type, const char *uuid, const Attr *attrs,
		       size_t n_attrs, DeviceOpResult *ret);

/*
 * Starts the create in a thread (everything copied); done runs on the loop
 * when it ended (never from within this call). owner and usage: what
 * quota_usage counts for it meanwhile. -errno if the thread cannot be
 * started (done is then not called); -EBUSY if uuid has an operation under
 * way.
 */
int device_ops_create(Manager *m, const char *parent, const char *type, const char *uuid, const Attr *attrs,
		      size_t n_attrs, const char *owner, const Usage *usage, DeviceOpDone done, void *userdata);
/* The same for uuid's "remove". */
int device_ops_remove(Manager *m, const char *uuid, DeviceOpDone done, void *userdata);

/* Whether uuid has an operation under way, and which (ret_kind may be NULL). */
bool device_ops_pending(const Manager *m, const char *uuid, DeviceOpKind *ret_kind);
/* Adds to sum what owner's creates under way take, those whose vGPU the inventory has not yet. */
void device_ops_add_usage(const Manager *m, const char *owner, Usage *sum);

/*
 * At exit: operations still held are left to their threads (the kernel
 * keeps them), their done never runs; what they use is not freed.
 */
void device_ops_done(Manager *m);
