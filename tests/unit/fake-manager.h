/* SPDX-License-Identifier: GPL-2.0-only */
/* A Manager over a fresh scratch tree (fake-root.h), for cmocka fixtures. */
#pragma once

#include "fake-root.h"
#include "macro.h"
#include "manager.h"

static inline Manager *fake_manager_new(void)
{
	Manager *m;

	if (manager_new(&m) < 0)
		abort();
	m->config.root = fake_root_new();
	return m;
}

static inline int fake_manager_teardown(void **state)
{
	Manager *m = *state;

	fake_root_free(TAKE_PTR(m->config.root));
	manager_free(m);
	return 0;
}
