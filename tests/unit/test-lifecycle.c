// SPDX-License-Identifier: GPL-2.0-only
/* Create/remove against a scratch tree: every bad input refused before sysfs is written. */
#include <errno.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake-manager.h"
#include "lifecycle.h"
#include "macro.h"
#include "manager.h"
#include "transient.h"
#include "owners.h"
#include "sysfs.h"

#define CREATE_4 "sys/class/mdev_bus/0000:00:02.0/mdev_supported_types/gvt_base-GVTg_V5_4/create"

static char *read_rel(const char *root, const char *rel)
{
	char path[1024];
	char *s = NULL;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(sysfs_read(path, &s), 0);
	return s;
}

typedef struct Ended {
	bool done;
	int r;
	GvtError e;
} Ended;

static void on_ended(Manager *m, int r, const GvtError *e, void *userdata)
{
	Ended *x = userdata;

	*x = (Ended) { .done = true, .r = r, .e = *e };
}

/* An operation's end: the write runs in a thread, its end comes through the loop. */
static int wait_ended(Manager *m, int r, Ended *x, GvtError *e)
{
	if (r != 0)
		return r;
	for (int i = 0; !x->done && i < 500; i++)
		assert_true(sd_event_run(m->event, 10 * 1000) >= 0);
	assert_true(x->done);
	*e = x->e;
	return x->r;
}

static int remove_and_wait(Manager *m, const char *uuid, GvtError *e)
{
	Ended x = {};

	if (!m->event)
		assert_int_equal(sd_event_new(&m->event), 0);
	return wait_ended(m, transient_remove(m, uuid, on_ended, &x, e), &x, e);
}

/* transient_create_or_match() to its end (0; 1 would be a match, which these tests never make). */
static int create_and_wait(Manager *m, const VgpuSpec *spec, char ret[GVT_UUID_STRING_MAX], GvtError *e)
{
	Ended x = {};

	if (!m->event)
		assert_int_equal(sd_event_new(&m->event), 0);
	return wait_ended(m, transient_create_or_match(m, spec, ret, on_ended, &x, e), &x, e);
}

static int setup(void **state)
{
	Manager *m;

	m = fake_manager_new();
	fake_root_add_parent(m->config.root, "0000:00:03.0", "other");
	*state = m;
	return 0;
}

static int create(Manager *m, const char *parent, const char *type, const char *uuid, char ret[GVT_UUID_STRING_MAX],
		  GvtError *e)
{
	return create_and_wait(m, &(VgpuSpec) { .parent = parent, .type = type, .uuid = uuid }, ret, e);
}

static void test_bad_input(void **state)
{
	static const struct {
		const char *parent, *type, *uuid;
		GvtErrorKind kind;
		const char *says;
	} cases[] = {
		{ "", "gvt_base-GVTg_V5_4", "nope", GVT_ERROR_INVALID_ARGUMENT, "Invalid UUID" },
		{ "", "gvt_base-GVTg_V5_4", "0b9e3a49-83a8-4c4e-9b1b-2f3c7ad2a5e", GVT_ERROR_INVALID_ARGUMENT, "Invalid UUID" },
		{ "", "", "", GVT_ERROR_INVALID_ARGUMENT, "No type" },
		{ "", "../../../../etc/passwd", "", GVT_ERROR_INVALID_ARGUMENT, "Invalid type" },
		{ "", "gvt_base-GVTg_V5_4/../x", "", GVT_ERROR_INVALID_ARGUMENT, "Invalid type" },
		{ "..", "gvt_base-GVTg_V5_4", "", GVT_ERROR_INVALID_ARGUMENT, "Invalid parent" },
		{ "/", "gvt_base-GVTg_V5_4", "", GVT_ERROR_INVALID_ARGUMENT, "Invalid parent" },
		{ "0000:00:02.0\n", "gvt_base-GVTg_V5_4", "", GVT_ERROR_INVALID_ARGUMENT, "Invalid parent" },
		{ "", "gvt_base-GVTg_V5_9", "", GVT_ERROR_NOT_FOUND, "No parent offers type" },
		{ "0000:00:09.0", "gvt_base-GVTg_V5_4", "", GVT_ERROR_NOT_FOUND, "No mdev parent 0000:00:09.0" },
		/* a type of the other parent */
		{ "0000:00:02.0", "other-GVTg_V5_4", "", GVT_ERROR_NOT_FOUND, "belongs to another parent" },
		{ "0000:00:02.0", "gvt_base-GVTg_V5_1", "", GVT_ERROR_NOT_FOUND, "has no type" },
	};
	Manager *m = *state;
	char longname[300];

	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';

	for (size_t i = 0; i <= ELEMENTSOF(cases); i++) {
		const char *parent = i < ELEMENTSOF(cases) ? cases[i].parent : longname;
		GvtError e = {};
		char uuid[GVT_UUID_STRING_MAX];
		_cleanup_free_ char *written = NULL;

		assert_true(create(m, parent, i < ELEMENTSOF(cases) ? cases[i].type : "gvt_base-GVTg_V5_4",
					     i < ELEMENTSOF(cases) ? cases[i].uuid : "", uuid, &e) < 0);
		if (i < ELEMENTSOF(cases)) {
			assert_int_equal(e.kind, cases[i].kind);
			if (!strstr(e.message, cases[i].says))
				fail_msg("case %zu: \"%s\" does not say \"%s\"", i, e.message, cases[i].says);
		} else
			assert_int_equal(e.kind, GVT_ERROR_INVALID_ARGUMENT);
		written = read_rel(m->config.root, CREATE_4);
		assert_string_equal(written, "");
	}
}

static void test_create_writes_uuid(void **state)
{
	Manager *m = *state;
	char uuid[GVT_UUID_STRING_MAX];
	_cleanup_free_ char *written = NULL;
	GvtError e = {};

	assert_int_equal(create(m, "", "gvt_base-GVTg_V5_4", "0B9E3A49-83A8-4C4E-9B1B-2F3C7AD2A5E1", uuid, &e), 0);
	assert_string_equal(uuid, "0b9e3a49-83a8-4c4e-9b1b-2f3c7ad2a5e1");
	written = read_rel(m->config.root, CREATE_4);
	assert_string_equal(written, uuid);

	/* root's: no owner record is written (none means the administrator's) */
	{
		char path[1024];

		snprintf(path, sizeof(path), "%s/var/lib/gvtd/owners/%s", m->config.root, uuid);
		assert_int_equal(access(path, F_OK), -1);
		assert_string_equal(owners_get(&m->owners, uuid), "root");
	}

	/* generated when not given; another owner's is recorded */
	assert_int_equal(create_and_wait(m, &(VgpuSpec) { .parent = "0000:00:02.0", .type = "gvt_base-GVTg_V5_4",
							  .owner = "alice" }, uuid, &e), 0);
	assert_int_equal(gvt_uuid_normalize(uuid, (char[GVT_UUID_STRING_MAX]) {}), 0);
	{
		char path[1024];

		snprintf(path, sizeof(path), "%s/var/lib/gvtd/owners/%s", m->config.root, uuid);
		assert_int_equal(access(path, F_OK), 0);
		assert_string_equal(owners_get(&m->owners, uuid), "alice");
	}
}

static void test_exists_and_capacity(void **state)
{
	Manager *m = *state;
	char uuid[GVT_UUID_STRING_MAX];
	GvtError e = {};

	fake_root_add_vgpu(m->config.root, "0000:00:02.0", "gvt_base-GVTg_V5_2", "11111111-2222-3333-4444-555555555555");
	assert_int_equal(create(m, "", "gvt_base-GVTg_V5_4", "11111111-2222-3333-4444-555555555555", uuid, &e),
			 -EEXIST);
	assert_int_equal(e.kind, GVT_ERROR_ALREADY_EXISTS);

	fake_root_write(m->config.root, "sys/class/mdev_bus/0000:00:02.0/mdev_supported_types/gvt_base-GVTg_V5_2/available_instances", "0\n");
	e = (GvtError) {};
	assert_int_equal(create(m, "", "gvt_base-GVTg_V5_2", "", uuid, &e), -ENOSPC);
	assert_int_equal(e.kind, GVT_ERROR_NO_CAPACITY);
	/* _8 and _4 still count 6 and 3: aperture (384) and hidden (2304) are proven; fences 24 ≥ 4 too */
	assert_string_equal(e.resource, "unknown");
}

/* Types by their short name ("GVTg_V5_4"): the one id it stands for, or an error listing the ids. */
static void test_short_type_names(void **state)
{
	static const struct {
		const char *parent, *type;
		int r;
		const char *resolved;   /* r == 0: the id; else text the error has */
	} cases[] = {
		{ "0000:00:02.0", "GVTg_V5_4", 0, "gvt_base-GVTg_V5_4" },
		{ "0000:00:03.0", "GVTg_V5_4", 0, "other-GVTg_V5_4" },
		{ "0000:00:02.0", "gvt_base-GVTg_V5_8", 0, "gvt_base-GVTg_V5_8" },
		{ "", "gvt_base-GVTg_V5_8", 0, "gvt_base-GVTg_V5_8" },
		{ "", "GVTg_V5_4", -EINVAL, "gvt_base-GVTg_V5_4, other-GVTg_V5_4" },
		{ "", "GVTg_V5_3", 0, "GVTg_V5_3" },         /* nothing: the caller says NotFound */
		{ "0000:00:02.0", "other-GVTg_V5_4", 0, "other-GVTg_V5_4" },
	};
	Manager *m = *state;

	assert_int_equal(inventory_sync(m), 0);
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		const char *type = NULL;
		GvtError e = {};
		int r = lifecycle_resolve_type(m, cases[i].parent, cases[i].type, &type, &e);

		assert_int_equal(r, cases[i].r);
		if (r == 0)
			assert_string_equal(type, cases[i].resolved);
		else {
			assert_int_equal(e.kind, GVT_ERROR_INVALID_ARGUMENT);
			assert_non_null(strstr(e.message, cases[i].resolved));
		}
	}
}

static void count_event(Manager *m, const Event *ev, void *userdata)
{
	((unsigned *) userdata)[ev->kind]++;
}

/* Between full rescans, a vGPU made or removed behind gvtd's back is seen by rereading just it. */
static void test_sync_one_vgpu(void **state)
{
	static const char *const uuid = "11111111-2222-3333-4444-555555555555";
	static const char *const avail =
		"sys/class/mdev_bus/0000:00:02.0/mdev_supported_types/gvt_base-GVTg_V5_2/available_instances";
	unsigned seen[_EVENT_KIND_MAX] = {};
	Manager *m = *state;
	MdevType *t;
	GvtError e = {};

	assert_int_equal(inventory_sync(m), 0);
	assert_int_equal(manager_subscribe(m, count_event, seen), 0);
	fake_root_add_vgpu(m->config.root, "0000:00:02.0", "gvt_base-GVTg_V5_2", uuid);
	fake_root_write(m->config.root, avail, "0\n");
	assert_null(inventory_find_vgpu(&m->inventory, uuid));

	assert_int_equal(inventory_sync_vgpu(m, uuid), 0);
	assert_non_null(inventory_find_vgpu(&m->inventory, uuid));
	assert_true(inventory_find_vgpu(&m->inventory, uuid)->described);
	t = parent_find_type(inventory_find_parent(&m->inventory, "0000:00:02.0"), "gvt_base-GVTg_V5_2");
	assert_int_equal(t->available, 0);
	assert_int_equal(seen[EVENT_VGPU_ADDED], 1);
	assert_int_equal(seen[EVENT_PARENT_CHANGED], 1);
	/* unchanged: nothing reread beyond it, nothing emitted */
	assert_int_equal(inventory_sync_vgpu(m, uuid), 0);
	assert_int_equal(seen[EVENT_VGPU_ADDED] + seen[EVENT_PARENT_CHANGED], 2);

	/* remove rereads the one it is asked for: gone behind gvtd's back, it says NotFound */
	fake_root_write(m->config.root, avail, "1\n");
	{
		char cmd[512];

		snprintf(cmd, sizeof(cmd), "rm '%s/sys/bus/mdev/devices/%s'", m->config.root, uuid);
		assert_int_equal(system(cmd), 0);
	}
	assert_int_equal(remove_and_wait(m, uuid, &e), -ENOENT);
	assert_int_equal(e.kind, GVT_ERROR_NOT_FOUND);
	assert_null(inventory_find_vgpu(&m->inventory, uuid));
	assert_int_equal(seen[EVENT_VGPU_REMOVED], 1);
	assert_int_equal(t->available, 1);
	manager_unsubscribe(m, count_event, seen);
}

/* The kernel sends add and bind before it links mdev_type: such a device is read again shortly. */
static void test_half_made_vgpu_read_again(void **state)
{
	static const char *const uuid = "21111111-2222-3333-4444-555555555555";
	unsigned seen[_EVENT_KIND_MAX] = {};
	Manager *m = *state;
	char cmd[1024];

	assert_int_equal(sd_event_new(&m->event), 0);
	assert_int_equal(inventory_sync(m), 0);
	assert_int_equal(manager_subscribe(m, count_event, seen), 0);
	fake_root_add_vgpu(m->config.root, "0000:00:02.0", "gvt_base-GVTg_V5_2", uuid);
	snprintf(cmd, sizeof(cmd), "mv '%s/sys/devices/pci0000:00/0000:00:02.0/%s/mdev_type' '%s/held-link'",
		 m->config.root, uuid, m->config.root);
	assert_int_equal(system(cmd), 0);

	assert_int_equal(inventory_sync_vgpu(m, uuid), 0);
	assert_null(inventory_find_vgpu(&m->inventory, uuid));
	assert_int_equal(m->inventory_watch.n_vgpu_retry, 1);
	/* not there yet at the first second look either */
	assert_true(sd_event_run(m->event, 1000000) > 0);
	assert_null(inventory_find_vgpu(&m->inventory, uuid));

	snprintf(cmd, sizeof(cmd), "mv '%s/held-link' '%s/sys/devices/pci0000:00/0000:00:02.0/%s/mdev_type'",
		 m->config.root, m->config.root, uuid);
	assert_int_equal(system(cmd), 0);
	assert_true(sd_event_run(m->event, 1000000) > 0);
	assert_non_null(inventory_find_vgpu(&m->inventory, uuid));
	assert_int_equal(seen[EVENT_VGPU_ADDED], 1);
	assert_int_equal(m->inventory_watch.n_vgpu_retry, 0);
	manager_unsubscribe(m, count_event, seen);
}

/* Through create: the short name on the chosen parent creates that type; ambiguous without a parent. */
static void test_create_short_type_name(void **state)
{
	Manager *m = *state;
	char id[GVT_UUID_STRING_MAX];
	_cleanup_free_ char *written = NULL;
	GvtError e = {};

	assert_int_equal(create(m, "0000:00:02.0", "GVTg_V5_4", "0b9e3a49-83a8-4c4e-9b1b-2f3c7ad2a5e1", id, &e), 0);
	written = read_rel(m->config.root, CREATE_4);
	assert_string_equal(written, "0b9e3a49-83a8-4c4e-9b1b-2f3c7ad2a5e1");
	assert_int_equal(create(m, "", "GVTg_V5_4", "", id, &e), -EINVAL);
	assert_non_null(strstr(e.message, "ambiguous"));
}

static void test_remove(void **state)
{
	Manager *m = *state;
	_cleanup_free_ char *written = NULL;
	GvtError e = {};

	assert_int_equal(remove_and_wait(m, "not-a-uuid", &e), -EINVAL);
	assert_int_equal(e.kind, GVT_ERROR_INVALID_ARGUMENT);
	e = (GvtError) {};
	assert_int_equal(remove_and_wait(m, "99999999-2222-3333-4444-555555555555", &e), -ENOENT);
	assert_int_equal(e.kind, GVT_ERROR_NOT_FOUND);

	fake_root_add_vgpu(m->config.root, "0000:00:02.0", "gvt_base-GVTg_V5_8", "aaaaaaaa-2222-3333-4444-555555555555");
	/* With the callouts off (they keep a UUID of their own only when on), the owner record goes too. */
	m->config.callouts = false;
	assert_int_equal(owners_set(m->config.root, &m->owners, "aaaaaaaa-2222-3333-4444-555555555555", "alice"), 0);
	assert_int_equal(remove_and_wait(m, "AAAAAAAA-2222-3333-4444-555555555555", &e), 0);
	written = read_rel(m->config.root, "sys/bus/mdev/devices/aaaaaaaa-2222-3333-4444-555555555555/remove");
	assert_string_equal(written, "1");
	assert_string_equal(owners_get(&m->owners, "aaaaaaaa-2222-3333-4444-555555555555"), OWNER_ADMIN);
}

/* An open vGPU (the kernel told who opened it) is refused, naming the process; sysfs untouched. */
static void test_remove_open(void **state)
{
	Manager *m = *state;
	_cleanup_free_ char *written = NULL;
	char want[128];
	GvtError e = {};

	fake_root_add_vgpu(m->config.root, "0000:00:02.0", "gvt_base-GVTg_V5_8", "aaaaaaaa-2222-3333-4444-555555555555");
	m->openers.open = calloc(1, sizeof(*m->openers.open));
	assert_non_null(m->openers.open);
	strcpy(m->openers.open[0].uuid, "aaaaaaaa-2222-3333-4444-555555555555");
	m->openers.open[0].pid = (uint32_t) getpid();
	m->openers.n_open = 1;

	assert_int_equal(remove_and_wait(m, "aaaaaaaa-2222-3333-4444-555555555555", &e), -EBUSY);
	assert_int_equal(e.kind, GVT_ERROR_BUSY);
	/* The name comes from /proc/PID/comm: this test's own, cut at 15 characters by the kernel. */
	snprintf(want, sizeof(want), "is open by process %d (test-lifecycle)", (int) getpid());
	assert_non_null(strstr(e.message, want));
	written = read_rel(m->config.root, "sys/bus/mdev/devices/aaaaaaaa-2222-3333-4444-555555555555/remove");
	assert_string_equal(written, "");
	assert_int_equal(openers_pid(m, "aaaaaaaa-2222-3333-4444-555555555555"), (uint32_t) getpid());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bad_input, setup, fake_manager_teardown),
		cmocka_unit_test_setup_teardown(test_create_writes_uuid, setup, fake_manager_teardown),
		cmocka_unit_test_setup_teardown(test_exists_and_capacity, setup, fake_manager_teardown),
		cmocka_unit_test_setup_teardown(test_remove, setup, fake_manager_teardown),
		cmocka_unit_test_setup_teardown(test_remove_open, setup, fake_manager_teardown),
		cmocka_unit_test_setup_teardown(test_sync_one_vgpu, setup, fake_manager_teardown),
		cmocka_unit_test_setup_teardown(test_half_made_vgpu_read_again, setup, fake_manager_teardown),
		cmocka_unit_test_setup_teardown(test_short_type_names, setup, fake_manager_teardown),
		cmocka_unit_test_setup_teardown(test_create_short_type_name, setup, fake_manager_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
