/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * When "auto" definitions start: once at daemon start, after the load order
 * finished and before READY=1 (autostart_now), and whenever a parent appears
 * later (hot-plug, module reload): deferred to the next loop iteration,
 * because parents appear in the middle of an inventory sync.
 */
#pragma once

#include <systemd/sd-event.h>

typedef struct Manager Manager;

/* Autostart's own state, kept in the Manager. */
typedef struct Autostart {
	sd_event_source *defer;   /* parents appeared: start their auto definitions */
} Autostart;

int autostart_init(Manager *m);
void autostart_exit(Manager *m);
void autostart_now(Manager *m);
