// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>

#include "log.h"
#include "manager.h"

int manager_new(Manager **ret)
{
	Manager *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	config_init(&m->config);
	if (!m->config.admin_group) {
		free(m);
		return -ENOMEM;
	}
	*ret = m;
	return 0;
}

Manager *manager_free(Manager *m)
{
	if (!m)
		return NULL;
	inventory_stop(m);
	modules_done(&m->modules);
	inventory_done(&m->inventory);
	sd_event_unref(m->event);
	config_done(&m->config);
	free(m);
	return NULL;
}

int manager_subscribe(Manager *m, EventHandler handler, void *userdata)
{
	if (m->n_subscribers >= ELEMENTSOF(m->subscribers))
		return -E2BIG;
	m->subscribers[m->n_subscribers].handler = handler;
	m->subscribers[m->n_subscribers++].userdata = userdata;
	return 0;
}

void manager_emit(Manager *m, EventKind kind, const Vgpu *v, const Parent *p)
{
	Event e = { .kind = kind, .vgpu = v, .parent = p };

	for (size_t i = 0; i < m->n_subscribers; i++)
		m->subscribers[i].handler(m, &e, m->subscribers[i].userdata);
}
