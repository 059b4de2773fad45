/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Rereads ROOT/etc/mdevctl.d only when something changed it (inotify), and
 * then announces what changed as Definition* events (definitions_refresh).
 * Where inotify is not available, every sync rereads the directory.
 */
#pragma once

typedef struct Manager Manager;

/* Makes ROOT/etc/mdevctl.d if missing and watches it; never fails (falls back to rereading). */
int definitions_watch_start(Manager *m);
void definitions_watch_stop(Manager *m);

/* What every operation and listing calls first: 0 or -errno of the reread. */
int definitions_watch_sync(Manager *m);
