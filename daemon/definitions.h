/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Persistent vGPUs: define, undefine, start, stop, modify, and autostart.
 * Transport-independent core entry points (the D-Bus and REST adapters call
 * these after authorizing the caller): each validates its arguments, checks
 * the owner's quota, writes the files crash-safely (mdevctl.c, owners.c) and
 * only then touches sysfs. Each returns 0 or -errno with *e filled.
 *
 * Order of writes, so that a crash at any point is repaired by
 * definitions_load() on the next start:
 *   define:   owner record, then the mdevctl file (a record alone is garbage);
 *   undefine: the mdevctl file, then the record (unless the vGPU runs on);
 *   start:    the create, then the attributes (a failing attribute removes it).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "errors.h"
#include "lifecycle.h"
#include "mdevctl.h"
#include "quotas.h"

typedef struct Manager Manager;

/*
 * Reads definitions, owner records and quotas below the root and drops
 * owner records that neither a definition nor a running vGPU needs any more.
 * Running vGPUs are adopted as they are: defined ones report active, others
 * (made before a restart, or by other tools) are kept transient.
 */
int definitions_load(Manager *m);

/* Watches ROOT/etc/mdevctl.d (definitions-watch.c): what others change there is reread soon. */
int definitions_watch(Manager *m);
/* The feature (manager_start): watch, then load; after the inventory's first scan. */
int definitions_init(Manager *m);
void definitions_exit(Manager *m);

/*
 * Rereads what changed in ROOT/etc/mdevctl.d (only that, with inotify) and
 * announces what others changed there (EVENT_DEFINITION_ADDED/CHANGED/
 * REMOVED). Every operation here and every read accessor below calls it
 * first; gvtd writes its files before changing memory, so the disk is
 * always the truth.
 */
int definitions_sync(Manager *m);

/* The read accessors for adapters: current first. */
Definition *definitions_get(Manager *m, const char *uuid);
Definition *const *definitions_list(Manager *m, size_t *ret_n);
/* Files in ROOT/etc/mdevctl.d gvtd cannot use, each with why: left as they are, listed for the user. */
const Unreadable *definitions_unreadable(Manager *m, size_t *ret_n);
/* The Manager's generation once the definitions are current: what an adapter's cache is compared with. */
uint64_t definitions_generation(Manager *m);

/* What a listing of quotas shows (quota_rows() once the definitions are current); free the array. */
int definitions_quota_rows(Manager *m, QuotaRow **ret, size_t *ret_n);
/* What owner holds now (quota_usage() once the definitions are current). */
void definitions_quota_usage(Manager *m, const char *owner, Usage *ret);

/* Within the core, after a sync: no reread. */
Definition *definitions_find(Manager *m, const char *uuid);
/*
 * spec->parent may be empty: the first parent offering the type. spec->uuid
 * may be empty (generated). A UUID that runs already may be defined if parent
 * and type match: the running vGPU becomes persistent.
 */
int definitions_define(Manager *m, const VgpuSpec *spec, char ret_uuid[GVT_UUID_STRING_MAX], GvtError *e);
/*
 * A define that a client may retry (REST's POST): if spec->uuid is defined
 * already with this type, owner, autostart and attributes (and parent, if
 * given), that is the answer (*ret_created = false); one that differs is
 * GVT_ERROR_ALREADY_EXISTS. With spec->start it is started if it does not
 * run: a retry finishes what the first request did not. < 0 with e now; 1
 * done now; 0 a start under way, done when it ended.
 */
int definitions_define_or_match(Manager *m, const VgpuSpec *spec, char ret_uuid[GVT_UUID_STRING_MAX],
				bool *ret_created, OperationDone done, void *userdata, GvtError *e);
/* Removes the definition; a running vGPU keeps running as a transient one. */
int definitions_undefine(Manager *m, const char *uuid, GvtError *e);
/* Creates the defined vGPU in the calling thread: the loop's own starts (autostart). */
int definitions_start(Manager *m, const char *uuid, GvtError *e);
/* The same, its kernel part off the loop: < 0 with e now, or 0 and done when the kernel answered. */
int definitions_start_async(Manager *m, const char *uuid, OperationDone done, void *userdata, GvtError *e);
/* Removes the vGPU, keeps the definition: as transient_remove(), < 0 with e now or 0 and done later. */
int definitions_stop(Manager *m, const char *uuid, OperationDone done, void *userdata, GvtError *e);

typedef struct DefinitionChange {
	const char *type;         /* NULL/"": unchanged */
	int autostart;            /* -1: unchanged */
	bool set_attrs;
	const Attr *attrs;        /* replace all, if set_attrs */
	size_t n_attrs;
} DefinitionChange;

/* Changes a stopped definition; the quota is checked against the new type. */
int definitions_modify(Manager *m, const char *uuid, const DefinitionChange *c, GvtError *e);

/* Starts every "auto" definition of parent (NULL: of every parent) that does not run; logs failures. */
void definitions_autostart(Manager *m, const char *parent);
