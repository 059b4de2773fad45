// SPDX-License-Identifier: GPL-2.0-only
#include <assert.h>
#include <errno.h>

#include "events.h"
#include "manager.h"

static const char *const event_names[_EVENT_KIND_MAX] = {
	[EVENT_VGPU_ADDED] = "vgpu-added",
	[EVENT_VGPU_REMOVED] = "vgpu-removed",
	[EVENT_VGPU_STATE_CHANGED] = "vgpu-state-changed",
	[EVENT_VGPU_CHANGED] = "vgpu-changed",
	[EVENT_PARENT_ADDED] = "parent-added",
	[EVENT_PARENT_REMOVED] = "parent-removed",
	[EVENT_PARENT_CHANGED] = "parent-changed",
	[EVENT_MODULES_CHANGED] = "modules-changed",
	[EVENT_DEFINITION_ADDED] = "definition-added",
	[EVENT_DEFINITION_REMOVED] = "definition-removed",
	[EVENT_DEFINITION_CHANGED] = "definition-changed",
};

const char *event_kind_to_string(EventKind kind)
{
	return kind >= 0 && kind < _EVENT_KIND_MAX ? event_names[kind] : NULL;
}

int manager_subscribe(Manager *m, EventHandler handler, void *userdata)
{
	if (m->subscribers.n >= ELEMENTSOF(m->subscribers.list))
		return -E2BIG;
	m->subscribers.list[m->subscribers.n].handler = handler;
	m->subscribers.list[m->subscribers.n++].userdata = userdata;
	return 0;
}

void manager_emit_event(Manager *m, const Event *e)
{
	assert(e->kind >= 0 && e->kind < _EVENT_KIND_MAX);
	m->generation++;
	m->event_counts.n[e->kind]++;
	for (size_t i = 0; i < m->subscribers.n; i++)
		m->subscribers.list[i].handler(m, e, m->subscribers.list[i].userdata);
}

void manager_unsubscribe(Manager *m, EventHandler handler, void *userdata)
{
	for (size_t i = 0; i < m->subscribers.n; i++)
		if (m->subscribers.list[i].handler == handler && m->subscribers.list[i].userdata == userdata) {
			memmove(&m->subscribers.list[i], &m->subscribers.list[i + 1],
				(m->subscribers.n - i - 1) * sizeof(m->subscribers.list[0]));
			m->subscribers.n--;
			return;
		}
}

void manager_emit(Manager *m, EventKind kind, const Vgpu *v, const Parent *p)
{
	manager_emit_event(m, &(Event) { .kind = kind, .vgpu = v, .parent = p });
}
