// SPDX-License-Identifier: GPL-2.0-only
/*
 * The files gvtd reads at start and on every sync, against a scratch root:
 * a FIFO named like one is refused at once (not waited on); a read error
 * (EMFILE) leaves a valid file where it is; a definition file gvtd cannot use
 * stays as it is (mdevctl's directory), with the reason; quota limits that quotas.json cannot hold are refused; the
 * configuration file's lines may be of any length and must be a file;
 * attribute names that would write remove or uevent are refused, in a
 * definition file too (left as it is, with the reason).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "fake-root.h"
#include "macro.h"
#include "mdevctl.h"
#include "owners.h"
#include "quotas.h"
#include "store.h"
#include "validate.h"

#define PARENT "0000:00:02.0"
#define UUID "0b5d6c8e-2f1a-4c3b-9d7e-6a5f4e3d2c1b"
#define DEF_DIR "etc/mdevctl.d/" PARENT
#define DEF_TEXT "{\"mdev_type\": \"gvt_base-GVTg_V5_4\", \"start\": \"manual\", \"attrs\": []}\n"

static char *root;

static int setup(void **state)
{
	(void) state;
	root = fake_root_new();
	return 0;
}

static int teardown(void **state)
{
	(void) state;
	fake_root_free(TAKE_PTR(root));
	return 0;
}

static void at(char *buf, size_t size, const char *relpath)
{
	snprintf(buf, size, "%s/%s", root, relpath);
}

static void write_at(const char *relpath, const char *text)
{
	char path[1024];

	at(path, sizeof(path), relpath);
	assert_int_equal(store_write(path, text, strlen(text)), 0);
}

static bool exists_at(const char *relpath)
{
	char path[1024];

	at(path, sizeof(path), relpath);
	return access(path, F_OK) == 0;
}

/* The number of entries of dir whose name holds ".corrupt-": files set aside. */
static unsigned set_aside_in(const char *reldir)
{
	char path[1024];
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	unsigned n = 0;

	at(path, sizeof(path), reldir);
	d = opendir(path);
	assert_non_null(d);
	while ((de = readdir(d)))
		n += strstr(de->d_name, ".corrupt-") != NULL;
	return n;
}

/* The file's contents; fails the test if it cannot be read. */
static char *read_at(const char *relpath)
{
	char path[1024], *text = NULL;

	at(path, sizeof(path), relpath);
	assert_int_equal(store_read(path, &text, NULL), 0);
	return text;
}

static void on_alarm(int sig)
{
	(void) sig;
	/* Before the fix open() waited here for a writer that never came. */
	static const char msg[] = "store_read() blocked on a FIFO\n";
	(void) !write(2, msg, sizeof(msg) - 1);
	_exit(1);
}

static void test_fifo_is_refused_at_once(void **state)
{
	char path[1024];
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ char *reason = NULL;
	Definition *d = NULL;

	(void) state;
	write_at(DEF_DIR "/placeholder", "");
	at(path, sizeof(path), DEF_DIR "/" UUID);
	assert_int_equal(mkfifo(path, 0644), 0);
	signal(SIGALRM, on_alarm);
	alarm(5);
	assert_int_equal(store_read(path, &text, NULL), -EBADFD);
	/* And as a definition: not one, left where it is with the reason, the loader goes on. */
	assert_int_equal(mdevctl_load_one(root, PARENT, UUID, &d, &reason), 0);
	alarm(0);
	assert_null(d);
	assert_string_equal(reason, "not a regular file");
	assert_true(exists_at(DEF_DIR "/" UUID));
	assert_int_equal(set_aside_in(DEF_DIR), 0);
}

/* Uses up every free descriptor; returns how many it took. */
static int exhaust_fds(int fds[], int max)
{
	struct rlimit rl;
	int n = 0;

	/* A low soft limit, so that a few hundred descriptors use it up. */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	rl.rlim_cur = rl.rlim_cur < 256 ? rl.rlim_cur : 256;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	while (n < max && (fds[n] = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
		n++;
	assert_int_equal(errno, EMFILE);
	return n;
}

static void release_fds(int fds[], int n)
{
	while (n > 0)
		close(fds[--n]);
}

static void test_read_error_sets_nothing_aside(void **state)
{
	static int fds[1024];
	Definition *d = NULL, **all = NULL;
	Unreadable *bad = NULL;
	char *reason = NULL;
	size_t n_bad = 0;
	Owners o = {};
	Quotas q = {};
	size_t n_all = 0;
	int n, r_one, r_owners, r_quotas;

	(void) state;
	write_at(DEF_DIR "/" UUID, DEF_TEXT);
	write_at(OWNERS_DIR "/" UUID, "{\"owner\": \"alice\", \"created\": 1}");
	write_at(QUOTAS_DIR "/" QUOTAS_FILE, "{\"alice\": {\"vgpus\": 2}}");

	n = exhaust_fds(fds, ELEMENTSOF(fds));
	r_one = mdevctl_load_one(root, PARENT, UUID, &d, &reason);
	r_owners = owners_load(root, &o);
	r_quotas = quotas_load(root, &q);
	release_fds(fds, n);

	/* Failed, and said so; before the fix all three returned 0 and renamed the files. */
	assert_int_equal(r_one, -EMFILE);
	assert_null(d);
	assert_null(reason);
	assert_true(r_owners < 0);
	assert_true(r_quotas < 0);
	assert_true(exists_at(DEF_DIR "/" UUID));
	assert_true(exists_at(OWNERS_DIR "/" UUID));
	assert_true(exists_at(QUOTAS_DIR "/" QUOTAS_FILE));
	assert_int_equal(set_aside_in(DEF_DIR), 0);
	assert_int_equal(set_aside_in(OWNERS_DIR), 0);
	assert_int_equal(set_aside_in(QUOTAS_DIR), 0);
	owners_done(&o);
	quotas_done(&q);

	/* With descriptors to spare, the same files read as they are. */
	assert_int_equal(mdevctl_load_all(root, &all, &n_all, &bad, &n_bad), 0);
	assert_int_equal(n_all, 1);
	assert_int_equal(n_bad, 0);
	assert_string_equal(all[0]->uuid, UUID);
	definition_free(all[0]);
	free(all);
	assert_int_equal(owners_load(root, &o), 0);
	assert_int_equal(o.n_records, 1);
	assert_string_equal(owners_get(&o, UUID), "alice");
	owners_done(&o);
	assert_int_equal(quotas_load(root, &q), 0);
	assert_non_null(quotas_find(&q, "alice"));
	assert_int_equal(quotas_find(&q, "alice")->max[QUOTA_VGPUS], 2);
	quotas_done(&q);
}

static void test_bad_file_stays_as_it_is(void **state)
{
	static const char text[] = "{\"mdev_type\": 3}";
	_cleanup_free_ char *reason = NULL, *after = NULL;
	Definition *d = NULL;

	(void) state;
	write_at(DEF_DIR "/" UUID, text);
	assert_int_equal(mdevctl_load_one(root, PARENT, UUID, &d, &reason), 0);
	assert_null(d);
	assert_non_null(strstr(reason, "\"mdev_type\""));
	/* Before: renamed to .UUID.corrupt-TIME, so mdevctl and libvirt lost it too. */
	after = read_at(DEF_DIR "/" UUID);
	assert_string_equal(after, text);
	assert_int_equal(set_aside_in(DEF_DIR), 0);
}

static void test_attribute_names(void **state)
{
	static const char *const refused[] = { "remove", "uevent", "power", "driver", "subsystem", "mdev_type",
						"iommu_group", "..", ".", "a/b", "../remove", "Remove", "", "x y" };
	static const char *const accepted[] = { "x", "nosuch", "assign_adapter", "vgpu_id", "example-attribute" };
	_cleanup_free_ char *reason = NULL, *after = NULL;
	Definition *d = NULL;
	GvtError e = {};
	char text[256];

	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
		Attr a = { .name = (char *) refused[i], .value = (char *) "1" };

		e = (GvtError) {};
		assert_true(validate_attrs(&a, 1, &e) < 0);
		assert_int_equal(e.kind, GVT_ERROR_INVALID_ARGUMENT);
		assert_non_null(strstr(e.message, "attribute name"));
	}
	for (size_t i = 0; i < ELEMENTSOF(accepted); i++) {
		Attr a = { .name = (char *) accepted[i], .value = (char *) "1" };

		assert_int_equal(validate_attrs(&a, 1, NULL), 0);
	}

	/* A definition file naming remove is refused on load: left as it is, with the reason, never started. */
	snprintf(text, sizeof(text), "{\"mdev_type\": \"gvt_base-GVTg_V5_4\", \"start\": \"auto\", "
		 "\"attrs\": [{\"remove\": \"1\"}]}\n");
	write_at(DEF_DIR "/" UUID, text);
	assert_int_equal(mdevctl_load_one(root, PARENT, UUID, &d, &reason), 0);
	assert_null(d);
	assert_non_null(strstr(reason, "\"remove\""));
	after = read_at(DEF_DIR "/" UUID);
	assert_string_equal(after, text);
	assert_int_equal(set_aside_in(DEF_DIR), 0);
}

static void test_quota_beyond_int64_is_refused(void **state)
{
	Quota q = {};
	GvtError e = {};

	(void) state;
	assert_int_equal(quota_set_limit(&q, "vgpus", (uint64_t) INT64_MAX, &e), 0);
	assert_true(q.set[QUOTA_VGPUS]);

	q = (Quota) {};
	assert_true(quota_set_limit(&q, "vgpus", UINT64_MAX, &e) < 0);
	assert_int_equal(e.kind, GVT_ERROR_INVALID_ARGUMENT);
	assert_non_null(strstr(e.message, "18446744073709551615"));
	assert_non_null(strstr(e.message, "9223372036854775807"));
	assert_false(q.set[QUOTA_VGPUS]);
	assert_true(quota_set_limit(&q, "fences", (uint64_t) INT64_MAX + 1, &e) < 0);
	assert_false(q.set[QUOTA_FENCES]);
}

/* Writes prefix, pad times c, suffix as ROOT/etc/gvtd/gvtd.conf and parses it into *c (initialized). */
static void parse_padded(Config *c, const char *prefix, char fill, size_t pad, const char *suffix)
{
	_cleanup_free_ char *text = malloc(strlen(prefix) + pad + strlen(suffix) + 1);
	char path[1024];

	assert_non_null(text);
	strcpy(text, prefix);
	memset(text + strlen(prefix), fill, pad);
	strcpy(text + strlen(prefix) + pad, suffix);
	write_at("etc/gvtd/gvtd.conf", text);
	at(path, sizeof(path), "etc/gvtd/gvtd.conf");
	config_init(c);
	assert_int_equal(config_parse_file(c, path), 0);
}

static void test_config_long_comment_stays_a_comment(void **state)
{
	Config c;

	(void) state;
	/* A comment cut by a 2048-byte buffer (fgets: 2047 bytes) just before what would read as a setting. */
	parse_padded(&c, "[Access]\n#", 'x', 2046, "AdminGroup=wheel\nPolkit=no\n");
	assert_string_equal(c.admin_group, "gvt");
	assert_int_equal(c.polkit, POLKIT_NO);
	/* The bounds on definitions by default (docs/gvtd.8). */
	assert_int_equal(c.max_definitions, 1024);
	assert_int_equal(c.max_definitions_per_owner, 64);
	assert_int_equal(c.max_definition_bytes, 16384);
	config_done(&c);

	/* A long value is read whole. */
	parse_padded(&c, "[Modules]\nGvtBaseParameters=", 'y', 5000, "\n");
	assert_int_equal(strlen(c.gvt_base_options), 5000);
	config_done(&c);
}

static void test_config_directory_is_an_error(void **state)
{
	char path[1024];
	Config c;

	(void) state;
	at(path, sizeof(path), "gvtd.conf");
	assert_int_equal(mkdir(path, 0755), 0);
	config_init(&c);
	assert_true(config_parse_file(&c, path) < 0);
	config_done(&c);

	/* A missing file is still no error: the defaults. */
	at(path, sizeof(path), "none.conf");
	config_init(&c);
	assert_int_equal(config_parse_file(&c, path), 0);
	config_done(&c);
}

/* stderr into a file while f runs: what gvtd logged. */
static char *stderr_of(int (*f)(Config *c, const char *etc, const char *vendor), Config *c, const char *etc,
		       const char *vendor, int *ret)
{
	char path[1024], *text;
	int saved = dup(STDERR_FILENO), fd;
	size_t len;

	at(path, sizeof(path), "stderr");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	*ret = f(c, etc, vendor);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	assert_int_equal(store_read(path, &text, &len), 0);
	return text;
}

/*
 * Drop-ins as systemd's: gvtd.conf from /etc, else the vendor's; then every
 * gvtd.conf.d/NAME.conf of both directories in the order of their names, one in
 * /etc masking the vendor's of the same name; a later file's value wins.
 */
static void test_config_dropins(void **state)
{
	char etc[1024], vendor[1024];
	_cleanup_free_ char *log = NULL;
	Config c;
	int r;

	(void) state;
	at(etc, sizeof(etc), "etc/gvtd");
	at(vendor, sizeof(vendor), "usr/lib/gvtd");
	write_at("usr/lib/gvtd/gvtd.conf", "[Access]\nAdminGroup=vendorgrp\nPolkit=no\n");
	write_at("usr/lib/gvtd/gvtd.conf.d/10-a.conf", "[Definitions]\nMaxDefinitions=10\n");
	write_at("usr/lib/gvtd/gvtd.conf.d/20-b.conf", "[Definitions]\nMaxDefinitionsPerOwner=5\nMaxDefinitionSize=999\n");
	write_at("etc/gvtd/gvtd.conf.d/20-b.conf", "[Definitions]\nMaxDefinitionsPerOwner=7\n");
	write_at("etc/gvtd/gvtd.conf.d/30-c.conf", "[Definitions]\nMaxDefinitions=30\n");
	write_at("etc/gvtd/gvtd.conf.d/40-d.txt", "[Definitions]\nMaxDefinitionSize=777\n");
	/* A link to /dev/null in /etc turns the vendor's off, as systemd's masking does; an empty file too. */
	write_at("usr/lib/gvtd/gvtd.conf.d/15-m.conf", "[Definitions]\nMaxDefinitionSize=2048\n");
	write_at("usr/lib/gvtd/gvtd.conf.d/25-e.conf", "[Access]\nAdminGroup=emptied\n");
	write_at("etc/gvtd/gvtd.conf.d/25-e.conf", "");
	{
		char link[1024];

		at(link, sizeof(link), "etc/gvtd/gvtd.conf.d/15-m.conf");
		assert_int_equal(symlink("/dev/null", link), 0);
	}

	config_init(&c);
	assert_int_equal(config_load(&c, etc, vendor), 0);
	assert_string_equal(c.admin_group, "vendorgrp");   /* no /etc/gvtd/gvtd.conf: the vendor's */
	assert_int_equal(c.polkit, POLKIT_NO);
	assert_int_equal(c.max_definitions, 30);           /* 30-c.conf after 10-a.conf */
	assert_int_equal(c.max_definitions_per_owner, 7);  /* /etc's 20-b.conf masks the vendor's */
	assert_int_equal(c.max_definition_bytes, 16384);   /* neither 20-b's, nor masked 15-m's, nor .txt's */
	config_done(&c);

	/* /etc/gvtd/gvtd.conf replaces the vendor's whole: AdminGroup= back to its default. */
	write_at("etc/gvtd/gvtd.conf", "[Access]\nPolkit=yes\n");
	config_init(&c);
	assert_int_equal(config_load(&c, etc, vendor), 0);
	assert_string_equal(c.admin_group, "gvt");
	assert_int_equal(c.polkit, POLKIT_YES);
	assert_int_equal(c.max_definitions, 30);
	config_done(&c);

	/* A bad value in a drop-in: an error naming the drop-in's file:line and what the setting takes. */
	write_at("etc/gvtd/gvtd.conf.d/50-bad.conf", "# the operator's\n[Definitions]\n\nMaxDefinitions=lots\n");
	config_init(&c);
	log = stderr_of(config_load, &c, etc, vendor, &r);
	assert_true(r < 0);
	assert_non_null(strstr(log, "gvtd.conf.d/50-bad.conf:4"));
	assert_non_null(strstr(log, "MaxDefinitions"));
	config_done(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fifo_is_refused_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_error_sets_nothing_aside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_file_stays_as_it_is, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attribute_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quota_beyond_int64_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_long_comment_stays_a_comment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_directory_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_dropins, setup, teardown),
	};

	/* TEST_SKIP=test_fifo*: the others on code where the FIFO test hangs (and so ends the run). */
	if (getenv("TEST_SKIP"))
		cmocka_set_skip_filter(getenv("TEST_SKIP"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
