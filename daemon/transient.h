/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Transient vGPUs: create, create-or-match (a create a client may retry),
 * remove, and delete (whatever the UUID is). Above definitions.c: this is
 * the one place a transient operation asks "is this UUID defined?". Every
 * argument is validated and every check that can be made (names, capacity,
 * the owner's quota) is made before anything is written to sysfs.
 * Transport-independent: adapters authorize the caller, then call these.
 */
#pragma once

#include <stdbool.h>

#include "errors.h"
#include "lifecycle.h"

typedef struct Manager Manager;

/*
 * A create that a client may retry, its kernel part off the loop: if
 * spec->uuid names a vGPU that exists with this type, owner (and parent, if
 * given), that is the answer (1, done not called); one that differs is
 * GVT_ERROR_ALREADY_EXISTS. Else 0: the vGPU is being created, ret_uuid
 * holds its UUID now, and done runs once the kernel answered: then it is in
 * m->inventory, its events emitted and its owner recorded, or gone again (a
 * failing attribute removes it and the error says which and why). < 0 with
 * e: nothing was written.
 */
int transient_create_or_match(Manager *m, const VgpuSpec *spec, char ret_uuid[GVT_UUID_STRING_MAX],
			      OperationDone done, void *userdata, GvtError *e);

/*
 * Removes a running vGPU off the loop (the kernel may hold the write):
 * < 0 with e now, or 0 and done once it ended; its owner record goes too
 * unless a definition keeps it.
 */
int transient_remove(Manager *m, const char *uuid, OperationDone done, void *userdata, GvtError *e);

/*
 * The vGPU goes entirely, whatever it is (REST's DELETE): a transient one is
 * removed, a stopped definition undefined; a definition that runs is
 * GVT_ERROR_BUSY (stop it first), as removing and undefining it are two
 * steps that may fail apart, and undefining alone would leave it running.
 * < 0 with e now; 1 done now (undefined); 0 and done later (removed).
 */
int transient_delete(Manager *m, const char *uuid, OperationDone done, void *userdata, GvtError *e);
