// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>

#include "definitions-watch.h"
#include "log.h"
#include "manager.h"

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
	manager_stop(m);
	device_ops_done(m);
	for (size_t i = 0; i < m->n_definitions; i++)
		definition_free(m->definitions[i]);
	free(m->definitions);
	unreadable_free_all(m->unreadable, m->n_unreadable);
	owners_done(&m->owners);
	quotas_done(&m->quotas);
	tokens_done(&m->tokens);
	modules_done(&m->modules);
	inventory_done(&m->inventory);
	sd_event_unref(m->event);
	config_done(&m->config);
	free(m);
	return NULL;
}

int manager_start(Manager *m, const Feature *features, size_t n)
{
	int r;

	for (size_t i = 0; i < n; i++) {
		if (m->n_started >= ELEMENTSOF(m->started)) {
			manager_stop(m);
			return log_error_errno(E2BIG, "Too many features to start: %m");
		}
		log_debug("Starting %s.", features[i].name);
		r = features[i].start(m);
		if (r < 0) {
			manager_stop(m);
			return r;
		}
		m->started[m->n_started++] = &features[i];
	}
	return 0;
}

void manager_stop(Manager *m)
{
	while (m->n_started > 0) {
		const Feature *f = m->started[--m->n_started];

		log_debug("Stopping %s.", f->name);
		if (f->stop)
			f->stop(m);
	}
}

int manager_reload(Manager *m)
{
	int r, ret;

	ret = tokens_reload(m);
	for (size_t i = 0; i < m->n_started; i++) {
		const Feature *f = m->started[i];

		if (!f->reload)
			continue;
		r = f->reload(m);
		if (r < 0 && ret >= 0)
			ret = r;
	}
	if (ret >= 0)
		log_info("Reloaded: %zu API tokens.", m->tokens.n_tokens);
	return ret;
}

const char *manager_owner_of(Manager *m, const char *uuid)
{
	return owners_get(&m->owners, uuid);
}

bool manager_ready(const Manager *m)
{
	return m->modules.state == MODULES_READY && m->inventory.n_parents > 0;
}
