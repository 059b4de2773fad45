/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The STATUS= line systemctl status shows (modules, profile, parents,
 * vGPUs), kept current from the core's events and sent at most once per
 * 200 ms: a burst of creates is one notification, not one per event.
 */
#pragma once

typedef struct Manager Manager;

/* The feature (manager_start): follows the events. */
int status_start(Manager *m);
void status_stop(Manager *m);
/* Sends the line now if it changed. */
void status_notify(Manager *m);
