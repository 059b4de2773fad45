// SPDX-License-Identifier: GPL-2.0-only
#include "autostart.h"
#include "definitions.h"
#include "log.h"
#include "manager.h"

static int on_defer(sd_event_source *s, void *userdata)
{
	definitions_autostart(userdata, NULL);
	return sd_event_source_set_enabled(s, SD_EVENT_OFF);
}

static void on_event(Manager *m, const Event *e, void *userdata)
{
	if (e->kind != EVENT_PARENT_ADDED || !m->autostart.defer)
		return;
	if (sd_event_source_set_enabled(m->autostart.defer, SD_EVENT_ONESHOT) < 0)
		log_warning("Failed to schedule the autostart for parent %s.", e->parent->name);
}

int autostart_init(Manager *m)
{
	int r;

	r = sd_event_add_defer(m->event, &m->autostart.defer, on_defer, m);
	if (r < 0)
		return log_error_errno(r, "Failed to set up autostart: %m");
	r = sd_event_source_set_enabled(m->autostart.defer, SD_EVENT_OFF);
	if (r < 0)
		return r;
	return manager_subscribe(m, on_event, NULL);
}

void autostart_now(Manager *m)
{
	definitions_autostart(m, NULL);
	if (m->autostart.defer)
		(void) sd_event_source_set_enabled(m->autostart.defer, SD_EVENT_OFF);
}

void autostart_exit(Manager *m)
{
	m->autostart.defer = sd_event_source_disable_unref(m->autostart.defer);
	manager_unsubscribe(m, on_event, NULL);
}
