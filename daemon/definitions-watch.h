/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Rereads ROOT/etc/mdevctl.d only where something changed it (inotify): the
 * one file that changed, or everything when parent directories came or went.
 * It reports what changed; definitions.c rereads it and announces the
 * changes. Where inotify is not available, every collect says "everything".
 */
#pragma once

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "sysfs.h"

#define DEFINITIONS_WATCH_PENDING_MAX 64

typedef struct DefinitionsWatch {
	const char *root;           /* the Manager's root prefix */
	void (*changed)(void *userdata);  /* something changed: collect it */
	void *userdata;
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

/*
 * Makes ROOT/etc/mdevctl.d if missing and watches it; never fails (falls
 * back to "everything changed" on every collect). changed runs from the loop
 * when inotify has news.
 */
int definitions_watch_start(DefinitionsWatch *w, sd_event *event, const char *root, void (*changed)(void *userdata),
			    void *userdata);
void definitions_watch_stop(DefinitionsWatch *w);

/*
 * What changed since the last collect: 1 reread everything; 0 reread the
 * w->pending files (maybe none), then definitions_watch_clear().
 */
int definitions_watch_collect(DefinitionsWatch *w);
void definitions_watch_clear(DefinitionsWatch *w);
