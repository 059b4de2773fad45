// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>

#include "definitions-watch.h"
#include "log.h"
#include "manager.h"
#include "polkit.h"

int manager_new(Manager **ret)
{
	Manager *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	config_init(&m->config);
	m->definitions_watch.fd = -1;
	if (!m->config.admin_group || !m->config.api_socket || !m->config.api_socket_group ||
	    !m->config.api_token_file) {
		config_done(&m->config);
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
	openers_stop(m);
	definitions_watch_stop(&m->definitions_watch);
	sd_event_source_disable_unref(m->autostart_defer);
	polkit_free(m->polkit);
	for (size_t i = 0; i < m->n_definitions; i++)
		definition_free(m->definitions[i]);
	free(m->definitions);
	owners_done(&m->owners);
	quotas_done(&m->quotas);
	modules_done(&m->modules);
	inventory_done(&m->inventory);
	sd_event_unref(m->event);
	config_done(&m->config);
	free(m);
	return NULL;
}

const char *manager_owner_of(Manager *m, const char *uuid)
{
	return owners_get(&m->owners, uuid);
}

bool manager_ready(const Manager *m)
{
	return m->modules.state == MODULES_READY && m->inventory.n_parents > 0;
}
