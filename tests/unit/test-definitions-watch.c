// SPDX-License-Identifier: GPL-2.0-only
/*
 * Definitions changed behind gvtd's back (as mdevctl or an editor would) are
 * seen through inotify and announced once each; an empty file (mdevctl
 * between its truncate and its write) is skipped, not set aside.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "definitions-watch.h"
#include "definitions.h"
#include "fake-manager.h"
#include "macro.h"
#include "manager.h"

#define PARENT_DIR "etc/mdevctl.d/0000:00:02.0"
#define UUID "0b5d6c8e-2f1a-4c3b-9d7e-6a5f4e3d2c1b"
#define DEF_PATH PARENT_DIR "/" UUID

static unsigned seen[_EVENT_KIND_MAX];

static void count_event(Manager *m, const Event *ev, void *userdata)
{
	(void) m;
	(void) userdata;
	seen[ev->kind]++;
}

/* The definitions feature alone, as main.c starts it; manager_free() stops it. */
static const Feature features[] = {
	{ "definitions", definitions_init, definitions_exit, NULL },
};

static int setup(void **state)
{
	Manager *m;

	m = fake_manager_new();
	assert_int_equal(sd_event_new(&m->event), 0);
	assert_int_equal(manager_start(m, features, ELEMENTSOF(features)), 0);
	assert_true(m->definitions_watch.fd >= 0);
	assert_int_equal(manager_subscribe(m, count_event, NULL), 0);
	memset(seen, 0, sizeof(seen));
	*state = m;
	return 0;
}

static void make_parent_dir(const Manager *m)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", m->config.root, PARENT_DIR);
	assert_int_equal(mkdir(path, 0755), 0);
}

static unsigned n_events(void)
{
	return seen[EVENT_DEFINITION_ADDED] + seen[EVENT_DEFINITION_CHANGED] + seen[EVENT_DEFINITION_REMOVED];
}

static void test_added_changed_removed(void **state)
{
	Manager *m = *state;
	char path[1024];

	/* the parent directory and the file come at once: the file is read although its directory was not watched yet */
	make_parent_dir(m);
	fake_root_write(m->config.root, DEF_PATH, "{\"mdev_type\": \"gvt_base-GVTg_V5_4\", \"start\": \"manual\"}\n");
	assert_null(definitions_find(m, UUID));
	assert_int_equal(definitions_sync(m), 0);
	assert_non_null(definitions_find(m, UUID));
	assert_int_equal(seen[EVENT_DEFINITION_ADDED], 1);
	assert_int_equal(n_events(), 1);

	/* nothing changed: nothing announced */
	assert_int_equal(definitions_sync(m), 0);
	assert_int_equal(n_events(), 1);

	fake_root_write(m->config.root, DEF_PATH, "{\"mdev_type\": \"gvt_base-GVTg_V5_4\", \"start\": \"auto\"}\n");
	assert_int_equal(definitions_sync(m), 0);
	assert_int_equal(seen[EVENT_DEFINITION_CHANGED], 1);
	assert_true(definitions_find(m, UUID)->autostart);

	/* the event loop's own path: no request needed */
	snprintf(path, sizeof(path), "%s/%s", m->config.root, DEF_PATH);
	assert_int_equal(unlink(path), 0);
	assert_true(sd_event_run(m->event, 1000000) > 0);
	assert_null(definitions_find(m, UUID));
	assert_int_equal(seen[EVENT_DEFINITION_REMOVED], 1);
	assert_int_equal(n_events(), 3);
}

static void test_empty_file_is_not_set_aside(void **state)
{
	Manager *m = *state;
	char path[1024];
	int fd;

	make_parent_dir(m);
	assert_int_equal(definitions_sync(m), 0);
	snprintf(path, sizeof(path), "%s/%s", m->config.root, DEF_PATH);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(definitions_sync(m), 0);
	assert_null(definitions_find(m, UUID));
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(n_events(), 0);

	fake_root_write(m->config.root, DEF_PATH, "{\"mdev_type\": \"gvt_base-GVTg_V5_4\", \"start\": \"manual\"}\n");
	assert_int_equal(definitions_sync(m), 0);
	assert_non_null(definitions_find(m, UUID));
	assert_int_equal(seen[EVENT_DEFINITION_ADDED], 1);
}

/*
 * A changed file that cannot be read now (EMFILE): the definition stays as it
 * was, the file where it is, nothing announced; the next sync reads it.
 */
static void test_read_error_keeps_the_definition(void **state)
{
	Manager *m = *state;
	char path[1024];
	struct rlimit old, low;
	int fds[512], n = 0;

	make_parent_dir(m);
	fake_root_write(m->config.root, DEF_PATH, "{\"mdev_type\": \"gvt_base-GVTg_V5_4\", \"start\": \"manual\"}\n");
	assert_int_equal(definitions_sync(m), 0);
	assert_non_null(definitions_find(m, UUID));
	fake_root_write(m->config.root, DEF_PATH, "{\"mdev_type\": \"gvt_base-GVTg_V5_4\", \"start\": \"auto\"}\n");

	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = old.rlim_cur < 256 ? old.rlim_cur : 256;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	while (n < (int) ELEMENTSOF(fds) && (fds[n] = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
		n++;
	assert_int_equal(errno, EMFILE);
	(void) definitions_sync(m);
	while (n > 0)
		close(fds[--n]);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);

	/* Before the fix: the definition gone (REMOVED announced) and the file renamed .corrupt-. */
	assert_non_null(definitions_find(m, UUID));
	assert_false(definitions_find(m, UUID)->autostart);
	assert_int_equal(n_events(), 1);
	snprintf(path, sizeof(path), "%s/%s", m->config.root, DEF_PATH);
	assert_int_equal(access(path, F_OK), 0);

	assert_int_equal(definitions_sync(m), 0);
	assert_true(definitions_find(m, UUID)->autostart);
	assert_int_equal(seen[EVENT_DEFINITION_CHANGED], 1);
	assert_int_equal(n_events(), 2);
}

/* The whole directory removed and made again: watched again, nothing missed. */
static void test_top_directory_replaced(void **state)
{
	Manager *m = *state;
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s/etc/mdevctl.d'", m->config.root);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(definitions_sync(m), 0);
	assert_true(m->definitions_watch.fd >= 0);
	make_parent_dir(m);
	fake_root_write(m->config.root, DEF_PATH, "{\"mdev_type\": \"gvt_base-GVTg_V5_4\", \"start\": \"manual\"}\n");
	assert_int_equal(definitions_sync(m), 0);
	assert_non_null(definitions_find(m, UUID));
	assert_int_equal(seen[EVENT_DEFINITION_ADDED], 1);
}

/* n manual definitions in the parent directory, UUIDs numbered from first. */
static void write_definitions(const Manager *m, unsigned first, unsigned n)
{
	char rel[256];

	for (unsigned i = first; i < first + n; i++) {
		snprintf(rel, sizeof(rel), PARENT_DIR "/0b5d6c8e-2f1a-4c3b-9d7e-%012u", i);
		fake_root_write(m->config.root, rel, "{\"mdev_type\": \"gvt_base-GVTg_V5_4\", \"start\": \"manual\"}\n");
	}
}

/* Files in a watched directory are reread one by one; more at once than the queue holds, all together. */
static void test_many_files(void **state)
{
	Manager *m = *state;
	char path[1024];

	make_parent_dir(m);
	assert_int_equal(definitions_sync(m), 0);
	write_definitions(m, 0, 3);
	assert_int_equal(definitions_sync(m), 0);
	assert_int_equal(m->n_definitions, 3);
	assert_int_equal(seen[EVENT_DEFINITION_ADDED], 3);

	snprintf(path, sizeof(path), "%s/" PARENT_DIR "/0b5d6c8e-2f1a-4c3b-9d7e-%012u", m->config.root, 1);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(definitions_sync(m), 0);
	assert_int_equal(m->n_definitions, 2);
	assert_null(definitions_find(m, "0b5d6c8e-2f1a-4c3b-9d7e-000000000001"));
	assert_int_equal(seen[EVENT_DEFINITION_REMOVED], 1);

	write_definitions(m, 100, DEFINITIONS_WATCH_PENDING_MAX + 6);
	assert_int_equal(definitions_sync(m), 0);
	assert_int_equal(m->n_definitions, 2 + DEFINITIONS_WATCH_PENDING_MAX + 6);
	assert_int_equal(seen[EVENT_DEFINITION_ADDED], 3 + DEFINITIONS_WATCH_PENDING_MAX + 6);
	assert_int_equal(n_events(), 3 + 1 + DEFINITIONS_WATCH_PENDING_MAX + 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_added_changed_removed, setup, fake_manager_teardown),
		cmocka_unit_test_setup_teardown(test_empty_file_is_not_set_aside, setup, fake_manager_teardown),
		cmocka_unit_test_setup_teardown(test_top_directory_replaced, setup, fake_manager_teardown),
		cmocka_unit_test_setup_teardown(test_read_error_keeps_the_definition, setup, fake_manager_teardown),
		cmocka_unit_test_setup_teardown(test_many_files, setup, fake_manager_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
