/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Rereads ROOT/etc/mdevctl.d only where something changed it (inotify): the
 * one file that changed, or everything when parent directories came or went.
 * What changed is announced as Definition* events (definitions.c). Where
 * inotify is not available, every sync rereads the whole directory.
 */
#pragma once

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "sysfs.h"

typedef struct Manager Manager;

#define DEFINITIONS_WATCH_PENDING_MAX 64

typedef struct DefinitionsWatch {
	int fd;                     /* inotify; -1: reread everything on every sync */
	sd_event_source *source;
	int top_wd;
	struct {
		int wd;
		char name[GVT_NAME_MAX];
	} *dirs;                    /* the watched parent directories */
	size_t n_dirs;
	bool rewatch;               /* the queue overflowed or the top directory went */
	bool reread_all;            /* parent directories changed: reread every file */
	struct {
		char parent[GVT_NAME_MAX];
		char name[GVT_NAME_MAX];
	} pending[DEFINITIONS_WATCH_PENDING_MAX];  /* files to reread, else reread_all */
	size_t n_pending;
} DefinitionsWatch;

/* Makes ROOT/etc/mdevctl.d if missing and watches it; never fails (falls back to rereading). */
int definitions_watch_start(Manager *m);
void definitions_watch_stop(Manager *m);

/* What every operation and listing calls first: 0 or -errno of the reread. */
int definitions_watch_sync(Manager *m);
