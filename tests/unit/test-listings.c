// SPDX-License-Identifier: GPL-2.0-only
/*
 * Listings are linear in their size: N and 4N definitions, each with an
 * owner record, listed (GET /v1/vgpus's JSON, which looks up each entry's
 * owner as D-Bus's ListDefinitions does; and the quotas of N and 4N owners,
 * GET /v1/quotas and ListQuotas); 4N must cost under 6 times N.
 * A listing that is O(definitions x owner records) costs about 16 times.
 * CPU time of this process, best of several runs, so a loaded machine
 * (other builds on the same cores) counts less.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "definitions.h"
#include "fake-manager.h"
#include "macro.h"
#include "manager.h"
#include "quotas.h"
#include "rest-json.h"

#define PARENT "0000:00:02.0"
#define N 1500
#define RUNS 7
#define RATIO_MAX 6.0

static const Feature features[] = {
	{ "definitions", definitions_init, definitions_exit, NULL },
};

/* UUIDs alike for 24 characters, as a sequence of them would be: every comparison reads that far. */
static void uuid_of(unsigned i, char buf[static 37])
{
	snprintf(buf, 37, "0b5d6c8e-2f1a-4c3b-9d7e-%012x", i);
}

static void write_file(const char *root, const char *dir, const char *name, const char *text)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, dir);
	(void) mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", root, dir, name);
	f = fopen(path, "we");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void make_dirs(const char *root)
{
	static const char *const dirs[] = { "etc", "etc/mdevctl.d", "etc/mdevctl.d/" PARENT, "var", "var/lib",
					    "var/lib/gvtd", "var/lib/gvtd/owners" };
	char path[1024];

	for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
		assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
	}
}

/* A manager that loaded n definitions, each owned by one of n_owners users (a record each). */
static Manager *manager_with(unsigned n, unsigned n_owners)
{
	Manager *m = fake_manager_new();
	char uuid[37], text[128];

	make_dirs(m->config.root);
	/* In reverse order: the records on disk are not sorted for the loader. */
	for (unsigned i = n; i-- > 0;) {
		uuid_of(i, uuid);
		write_file(m->config.root, "etc/mdevctl.d/" PARENT, uuid,
			   "{\"mdev_type\": \"gvt_base-GVTg_V5_4\", \"start\": \"manual\", \"attrs\": []}\n");
		snprintf(text, sizeof(text), "{\"owner\": \"user%u\", \"created\": 1}", i % n_owners);
		write_file(m->config.root, OWNERS_DIR, uuid, text);
	}
	assert_int_equal(sd_event_new(&m->event), 0);
	assert_int_equal(manager_start(m, features, ELEMENTSOF(features)), 0);
	assert_true(m->definitions_watch.fd >= 0);
	assert_int_equal(m->n_definitions, n);
	assert_int_equal(m->owners.n_records, n);
	return m;
}

static double cpu_seconds(void)
{
	struct timespec ts;

	assert_int_equal(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts), 0);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One listing; checks entries' owners on the way. */
static double time_listing(Manager *m, unsigned n)
{
	{
		double t0 = cpu_seconds(), t;
		json_t *a = rest_json_vgpus(m, NULL, NULL, NULL, NULL);

		t = cpu_seconds() - t0;
		assert_non_null(a);
		assert_int_equal(json_array_size(a), n);
		for (size_t i = 0; i < n; i += n / 7) {
			json_t *e = json_array_get(a, i);
			unsigned k;
			char want[16];

			assert_int_equal(sscanf(json_string_value(json_object_get(e, "uuid")) + 24, "%x", &k), 1);
			snprintf(want, sizeof(want), "user%u", k % 50);
			assert_string_equal(json_string_value(json_object_get(e, "owner")), want);
		}
		json_decref(a);
		return t;
	}
}

/*
 * The best of RUNS timings of N and of 4N, taken in turns, so that a busy
 * moment of the machine slows both alike; fails if 4N costs RATIO_MAX times N.
 */
static void check_linear(const char *what, unsigned owners_small, unsigned owners_big,
			 double (*time_one)(Manager *m, unsigned n))
{
	Manager *small = manager_with(N, owners_small), *big = manager_with(4 * N, owners_big);
	double t_small = 1e9, t_big = 1e9;

	for (int run = 0; run < RUNS; run++) {
		double a = time_one(small, N), b = time_one(big, 4 * N);

		t_small = a < t_small ? a : t_small;
		t_big = b < t_big ? b : t_big;
	}
	print_message("%s, %u: %.2f ms, %u: %.2f ms, ratio %.2f (at most %.1f)\n", what, N, t_small * 1e3,
		      4 * N, t_big * 1e3, t_big / t_small, RATIO_MAX);
	assert_true(t_big / t_small < RATIO_MAX);
	fake_manager_teardown((void **) &small);
	fake_manager_teardown((void **) &big);
}

static void test_definitions_listing_is_linear(void **state)
{
	(void) state;
	check_linear("definitions of 50 owners", 50, 50, time_listing);
}

/* GET /v1/quotas's JSON (D-Bus ListQuotas takes the same rows); checks rows on the way. */
static double time_quota_listing(Manager *m, unsigned n)
{
	{
		_cleanup_free_ QuotaRow *rows = NULL;
		double t0 = cpu_seconds(), t;
		json_t *a = json_array();
		size_t n_rows = 0;

		assert_int_equal(definitions_quota_rows(m, &rows, &n_rows), 0);
		for (size_t i = 0; i < n_rows; i++)
			assert_int_equal(json_array_append_new(a, rest_json_quota_row(&rows[i])), 0);
		t = cpu_seconds() - t0;
		/* Every owner once: one definition each. */
		assert_int_equal(json_array_size(a), n);
		for (size_t i = 0; i < n_rows; i += n_rows / 7) {
			Usage u;

			quota_usage(m, rows[i].owner, &u);
			assert_int_equal(u.v[QUOTA_VGPUS], 1);
			assert_int_equal(rows[i].usage.v[QUOTA_VGPUS], 1);
			assert_memory_equal(&u, &rows[i].usage, sizeof(u));
		}
		json_decref(a);
		return t;
	}
}

static void test_quota_listing_is_linear(void **state)
{
	(void) state;
	/* Each definition its own owner: the most owners a listing of quotas can have. */
	check_linear("quotas, one owner per definition", N, 4 * N, time_quota_listing);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_definitions_listing_is_linear),
		cmocka_unit_test(test_quota_listing_is_linear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
