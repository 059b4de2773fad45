/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The live inventory (inventory-watch.c): uevents, the poll without udev,
 * second looks at half-made devices, and the syncs operations ask for. It
 * owns its queue and retries; inventory.c scans, parses and diffs.
 */
#pragma once

#include <stdbool.h>
#include <systemd/sd-device.h>
#include <systemd/sd-event.h>

#include "inventory.h"

typedef struct Manager Manager;

typedef struct InventoryWatch {
	sd_device_monitor *monitor;
	sd_event_source *resync_timer;  /* when there is no udev to send uevents */
	/* uevents since the last rescan, applied once per event-loop iteration */
	sd_event_source *rescan_defer;
	bool rescan_all;                /* a parent, driver or module event: reread everything */
	char rescan_vgpus[16][GVT_UUID_STRING_MAX];  /* else only these vGPUs */
	size_t n_rescan_vgpus;
	/*
	 * vGPUs whose device exists without its mdev_type link yet: the kernel
	 * sends the add and bind uevents before it makes the link.
	 */
	sd_event_source *vgpu_retry_timer;
	struct {
		char uuid[GVT_UUID_STRING_MAX];
		unsigned tries;
	} vgpu_retry[16];
	size_t n_vgpu_retry;
} InventoryWatch;


/* Starts the uevent monitor, then reads sysfs (in that order, so nothing is missed). */
int inventory_start(Manager *m);
void inventory_stop(Manager *m);
/* Rereads all of sysfs into m->inventory and emits an event per difference. For a
 * parent or module change, and the poll timer; an operation on one vGPU uses the ones below. */
int inventory_sync(Manager *m);
/* Applies the uevents received but not yet applied (they are, once per event-loop iteration). */
void inventory_flush(Manager *m);
/* Rereads one vGPU (gone, new or changed) and, if it changed, its parent's available counts. */
int inventory_sync_vgpu(Manager *m, const char *uuid);
/* Rereads available_instances of each type of one parent. */
int inventory_sync_available(Manager *m, const char *parent);
/* The same for one type: the room a create is about to take. */
int inventory_sync_type_available(Manager *m, const char *parent, const char *type);
/* The parent of this name; not known yet, a full rescan first (it may have just appeared). */
Parent *inventory_need_parent(Manager *m, const char *name);
