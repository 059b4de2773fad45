/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The core's state: one Manager per process. Adapters (D-Bus, later REST)
 * call into the core and subscribe to its events; the core knows none of them.
 */
#pragma once

#include <systemd/sd-device.h>
#include <systemd/sd-event.h>

#include "autostart.h"
#include "config.h"
#include "definitions-watch.h"
#include "device-ops.h"
#include "errors.h"
#include "events.h"
#include "inventory-watch.h"
#include "mdevctl.h"
#include "modules.h"
#include "openers.h"
#include "owners.h"
#include "quotas.h"
#include "tokens.h"

struct Manager {
	Config config;
	sd_event *event;
	InventoryWatch inventory_watch;  /* inventory-watch.c: its queue and retries */
	Inventory inventory;
	uint64_t generation;            /* bumped by every event: what an adapter caches is stale once it moved */
	Modules modules;
	Definition **definitions;  /* what ROOT/etc/mdevctl.d says (definitions.c) */
	size_t n_definitions;
	Unreadable *unreadable;    /* files there gvtd cannot use, left as they are (definitions.c) */
	size_t n_unreadable;
	DefinitionsWatch definitions_watch;  /* changes to ROOT/etc/mdevctl.d */
	Owners owners;
	Quotas quotas;
	Tokens tokens;              /* tokens.c: the REST API's bearer tokens */
	Openers openers;           /* who has which vGPU open (the gvt genl family) */
	DeviceOps device_ops;      /* device-ops.c: vGPU creates and removals under way, off the loop */
	Autostart autostart;       /* autostart.c: its deferred start */
	struct PolkitBackend *polkit;  /* polkit.h; the D-Bus side implements it (main.c wires it) */

	Subscribers subscribers;   /* events.c */
	EventCounts event_counts;  /* events.c: the metrics' gvtd_events_total */
	/* What manager_start() started, in order: manager_stop() stops it in reverse. */
	const struct Feature *started[16];
	size_t n_started;
};

/*
 * One feature of the daemon, iwd's IWD_MODULE: the wiring (main.c) lists
 * them in start order, once; stop runs in the reverse order. stop and
 * reload may be NULL; they are called only for a feature whose start
 * succeeded. reload reads again what a SIGHUP re-reads (manager_reload).
 */
typedef struct Feature {
	const char *name;
	int (*start)(Manager *m);
	void (*stop)(Manager *m);
	int (*reload)(Manager *m);
} Feature;

/* Starts each feature in table order; on a failure, stops those started (in reverse) and returns it. */
int manager_start(Manager *m, const Feature *features, size_t n);
/* Stops what manager_start() started, in reverse; manager_free() does it too. */
void manager_stop(Manager *m);
/*
 * SIGHUP: the token file (tokens.c), then each started feature's reload, in
 * start order. Everything else in gvtd.conf takes a restart. The first error,
 * after trying them all; what failed keeps what it had.
 */
int manager_reload(Manager *m);

int manager_new(Manager **ret);
Manager *manager_free(Manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manager *, manager_free)

/* root-prefixed path below a fixed base, e.g. manager_path(m, &p, "etc/gvtd", "gvtd.conf", NULL). */
#define manager_path(m, ret, base, ...) sysfs_path((ret), (m)->config.root, (base), __VA_ARGS__)

/* Ready for work: the modules are loaded and a parent exists (REST's /v1/health "ready"). */
bool manager_ready(const Manager *m);

/* The owner of a vGPU or definition: its record's, else OWNER_ADMIN. */
const char *manager_owner_of(Manager *m, const char *uuid);





