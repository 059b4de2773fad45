// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>

#include "events.h"
#include "manager.h"

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
	m->generation++;
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
