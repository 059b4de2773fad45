// SPDX-License-Identifier: GPL-2.0-only
#include <systemd/sd-daemon.h>

#include "manager.h"
#include "status.h"

/* The STATUS= line systemctl status shows; the last one sent, and the timer that batches updates. */
static struct {
	char sent[256];
	sd_event_source *timer;
} status;

#define STATUS_BATCH_USEC 200000ULL

void status_notify(Manager *m)
{
	char text[sizeof(status.sent)];

	snprintf(text, sizeof(text), "STATUS=Modules %s (profile %s); %zu parent(s), %zu vGPU(s).",
		 modules_state_to_string(m->modules.state),
		 strempty(profile_to_string(modules_profile(m))),
		 m->inventory.n_parents, m->inventory.n_vgpus);
	if (streq(text, status.sent))
		return;
	(void) sd_notify(false, text);
	strcpy(status.sent, text);
}

static int on_status_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	status_notify(userdata);
	return 0;
}

/*
 * Each notification is a socket, a message and a close: a burst of creates
 * updates STATUS= once per STATUS_BATCH_USEC, not once per event.
 */
static void on_event(Manager *m, const Event *e, void *userdata)
{
	int r;

	if (!status.timer)
		r = sd_event_add_time_relative(m->event, &status.timer, CLOCK_MONOTONIC, STATUS_BATCH_USEC, 0,
					       on_status_timer, m);
	else if (sd_event_source_get_enabled(status.timer, NULL) > 0)
		return; /* armed already: it sends the state as it is then */
	else
		r = sd_event_source_set_time_relative(status.timer, STATUS_BATCH_USEC);
	if (r >= 0)
		r = sd_event_source_set_enabled(status.timer, SD_EVENT_ONESHOT);
	if (r < 0)
		status_notify(m);
}

int status_start(Manager *m)
{
	return manager_subscribe(m, on_event, NULL);
}

void status_stop(Manager *m)
{
	manager_unsubscribe(m, on_event, NULL);
	status.timer = sd_event_source_disable_unref(status.timer);
}
