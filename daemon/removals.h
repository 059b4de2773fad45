/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vGPU removals off the loop. The 6.1 kernel holds a write to an open
 * vGPU's "remove" until its user closes the device (vfio asks the user to
 * through the request IRQ), which can be forever: the write runs in a thread
 * of its own and the loop hears of its end through an eventfd, so D-Bus,
 * REST and the event stream go on meanwhile. A removal still held after
 * REMOVAL_SLOW_USEC puts its vGPU in state "removing" (an event, and a log
 * line naming the process that has it open) until the kernel lets go.
 * While one is under way, another operation on that vGPU is Busy.
 */
#pragma once

#include <stdbool.h>

typedef struct Manager Manager;
typedef struct Removal Removal;

#define REMOVAL_SLOW_USEC (500 * 1000)

/* On the loop, once the write returned: r is its 0 or -errno. */
typedef void (*RemovalDone)(Manager *m, const char *uuid, int r, void *userdata);

typedef struct Removals {
	Removal *first;
} Removals;

/*
 * Writes uuid's remove file in a new thread; done runs on the loop when it
 * returned (never from within this call). -errno if the thread cannot be
 * started (done is then not called); -EBUSY if uuid has one under way.
 */
int removals_start(Manager *m, const char *uuid, RemovalDone done, void *userdata);
/* Whether uuid has a removal under way. */
bool removals_pending(const Manager *m, const char *uuid);
/*
 * At exit: removals still held are left to their threads (the kernel keeps
 * them), their done never runs; what they use is not freed.
 */
void removals_done(Manager *m);
