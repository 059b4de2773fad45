// SPDX-License-Identifier: GPL-2.0-only
/* Load-order plans, profile choice, the i915 checks, configuration and authorization. */
#include <errno.h>
#include <grp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "auth.h"
#include "fake-root.h"
#include "macro.h"
#include "manager.h"

static void test_plans(void **state)
{
	static const char *const sim[] = { "vfio", "vfio_iommu_type1", "mdev", "gvt_base", "snapshot", "gvt_mdev", "parents" };
	static const char *const kvmgt[] = { "i915", "kvmgt", "vfio_iommu_type1", "mdev", "parents" };
	Modules mods = {};

	assert_int_equal(modules_plan(&mods, PROFILE_SIM, "/build/kmod", "aperture_mb=1024"), 0);
	assert_int_equal(mods.n_steps, ELEMENTSOF(sim));
	for (size_t i = 0; i < ELEMENTSOF(sim); i++) {
		assert_string_equal(mods.steps[i].name, sim[i]);
		assert_int_equal(mods.steps[i].state, STEP_PENDING);
	}
	assert_int_equal(mods.steps[4].kind, STEP_WAIT_SNAPSHOT);
	assert_int_equal(mods.steps[6].kind, STEP_WAIT_PARENTS);
	/* only the project's own modules come from the directory, with their parameters */
	assert_null(mods.steps[0].path);
	assert_string_equal(mods.steps[3].path, "/build/kmod/gvt_base.ko");
	assert_string_equal(mods.steps[3].options, "aperture_mb=1024");
	assert_string_equal(mods.steps[5].path, "/build/kmod/gvt_mdev.ko");
	assert_null(mods.steps[5].options);

	assert_int_equal(modules_plan(&mods, PROFILE_KVMGT, NULL, NULL), 0);
	assert_int_equal(mods.n_steps, ELEMENTSOF(kvmgt));
	for (size_t i = 0; i < ELEMENTSOF(kvmgt); i++)
		assert_string_equal(mods.steps[i].name, kvmgt[i]);
	assert_int_equal(mods.steps[0].kind, STEP_CHECK_I915);

	assert_int_equal(modules_plan(&mods, PROFILE_AUTO, NULL, NULL), -EINVAL);
	modules_done(&mods);
}

static void test_device_ids(void **state)
{
	static const struct {
		unsigned id;
		bool capable;
	} cases[] = {
		{ 0x1616, true },  /* Broadwell GT2 */
		{ 0x1912, true },  /* Skylake GT2 */
		{ 0x5916, true },  /* Kaby Lake GT2 */
		{ 0x87c0, true },  /* Amber Lake */
		{ 0x3e92, true },  /* Coffee Lake GT2 */
		{ 0x9bc5, true },  /* Comet Lake */
		{ 0x5a84, false }, /* Apollo Lake: not GVT-g */
		{ 0x8a52, false }, /* Ice Lake */
		{ 0x9a49, false }, /* Tiger Lake */
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++)
		assert_int_equal(gvt_capable_device_id(cases[i].id), cases[i].capable);
}

static void add_pci(const char *root, const char *dev, const char *vendor, const char *device, const char *class)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "d='%s/sys/bus/pci/devices/%s' && mkdir -p \"$d\" && echo %s >\"$d/vendor\" && "
		 "echo %s >\"$d/device\" && echo %s >\"$d/class\"", root, dev, vendor, device, class);
	assert_int_equal(system(cmd), 0);
}

static void test_auto_profile(void **state)
{
	char *root = fake_root_new();
	Config c;
	Profile p;
	GvtError e = {};

	config_init(&c);
	c.root = root;
	add_pci(root, "0000:00:1f.0", "0x8086", "0xa305", "0x060100");
	assert_int_equal(modules_resolve_profile(&c, &p, &e), -ENOPKG);
	assert_int_equal(e.kind, GVT_ERROR_MODULE_FAILURE);
	assert_non_null(strstr(e.message, "Profile=sim"));

	c.sim_fallback = true;
	assert_int_equal(modules_resolve_profile(&c, &p, &e), 0);
	assert_int_equal(p, PROFILE_SIM);

	add_pci(root, "0000:00:02.0", "0x8086", "0x1912", "0x030000");
	assert_int_equal(modules_resolve_profile(&c, &p, &e), 0);
	assert_int_equal(p, PROFILE_KVMGT);

	c.profile = PROFILE_SIM;
	assert_int_equal(modules_resolve_profile(&c, &p, &e), 0);
	assert_int_equal(p, PROFILE_SIM);

	c.root = NULL;
	config_done(&c);
	fake_root_free(root);
}

static void on_done(Manager *m, int r, const GvtError *e, void *userdata)
{
	*(int *) userdata = r;
}

/* kvmgt's first step fails before any module is touched: each cause says its fix. */
static void test_i915_checks(void **state)
{
	static const struct {
		const char *setup;
		const char *says;
	} cases[] = {
		{ "true", "i915 is not loaded" },
		{ "mkdir -p sys/module/i915", "built without CONFIG_DRM_I915_GVT" },
		{ "mkdir -p sys/module/i915/parameters && echo N >sys/module/i915/parameters/enable_gvt",
		  "add i915.enable_gvt=1 to the kernel command line" },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_(manager_freep) Manager *m = NULL;
		char cmd[1024];
		GvtError e = {};
		int done = 1;

		assert_int_equal(manager_new(&m), 0);
		m->config.root = fake_root_new();
		m->config.profile = PROFILE_KVMGT;
		snprintf(cmd, sizeof(cmd), "cd '%s' && %s", m->config.root, cases[i].setup);
		assert_int_equal(system(cmd), 0);
		assert_int_equal(sd_event_new(&m->event), 0);

		assert_int_equal(modules_setup(m, &e), 0);
		assert_int_equal(modules_load(m, on_done, &done, &e), 0);
		assert_int_equal(done, -ENOPKG);
		assert_int_equal(m->modules.state, MODULES_FAILED);
		assert_int_equal(m->modules.steps[0].state, STEP_FAILED);
		assert_int_equal(m->modules.steps[1].state, STEP_PENDING);
		if (!strstr(m->modules.steps[0].reason, cases[i].says))
			fail_msg("\"%s\" does not say \"%s\"", m->modules.steps[0].reason, cases[i].says);
		assert_string_equal(m->modules.error, m->modules.steps[0].reason);
		fake_root_free(TAKE_PTR(m->config.root));
	}
}

static void test_config(void **state)
{
	static const struct {
		const char *text;
		int r;
	} cases[] = {
		{ "[Modules]\nProfile=kvmgt\n", 0 },
		{ "# comment\n[Modules]\nProfile=sim\nModuleDir=/opt/kmod\nGvtBaseParameters=aperture_mb=1024 gpus=2\n"
		  "LoadOnStart=no\nWaitTimeoutSec=5\n[Access]\nAdminGroup=wheel\n", 0 },
		{ "[Modules]\nProfile=fast\n", -EINVAL },
		{ "[Modules]\nLoadOnStart=maybe\n", -EINVAL },
		{ "[Modules]\nWaitTimeoutSec=0\n", -EINVAL },
		{ "[Modules]\nUnknown=1\n", 0 }, /* logged and ignored */
		{ "[Modules]\nno equals sign\n", -EINVAL }, /* libeconf: missing delimiter, file:line */
	};
	char path[] = "/tmp/gvtd-conf-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		FILE *f = fopen(path, "we");
		Config c;

		fputs(cases[i].text, f);
		fclose(f);
		config_init(&c);
		assert_int_equal(config_parse_file(&c, path), cases[i].r);
		if (i == 1) {
			assert_int_equal(c.profile, PROFILE_SIM);
			assert_string_equal(c.module_dir, "/opt/kmod");
			assert_string_equal(c.gvt_base_options, "aperture_mb=1024 gpus=2");
			assert_false(c.load_on_start);
			assert_int_equal(c.wait_timeout_sec, 5);
			assert_string_equal(c.admin_group, "wheel");
		}
		config_done(&c);
	}
	unlink(path);
}

/* A comment past LINE_MAX is one line: its tail is no setting (issue 19 j; libeconf reads whole lines). */
static void test_config_long_line(void **state)
{
	char path[] = "/tmp/gvtd-conf-XXXXXX";
	int fd = mkstemp(path);
	FILE *f;
	Config c;

	assert_true(fd >= 0);
	f = fdopen(fd, "we");
	/* "#" and 2046 bytes fill exactly what one fgets() of LINE_MAX (2048) bytes read. */
	fprintf(f, "[Modules]\n#%0*d%s\n", 2046, 0, "Profile=kvmgt");
	fclose(f);
	config_init(&c);
	assert_int_equal(config_parse_file(&c, path), 0);
	assert_int_equal(c.profile, PROFILE_AUTO);
	config_done(&c);
	unlink(path);
}

static void test_auth(void **state)
{
	_cleanup_(manager_freep) Manager *m = NULL;
	struct group *root_group = getgrgid(0);
	gid_t groups[] = { 100, 0 };
	GvtError e = {};

	assert_non_null(root_group);
	assert_int_equal(manager_new(&m), 0);
	assert_int_equal(auth_check(m, &(Caller) { .uid = 0, .gid = 0 }, ACTION_MANAGE_VGPUS, &e), 0);
	assert_int_equal(auth_check(m, &(Caller) { .uid = 1000, .gid = 1000 }, ACTION_MANAGE_VGPUS, &e), -EPERM);
	assert_int_equal(e.kind, GVT_ERROR_NOT_PERMITTED);
	assert_non_null(strstr(e.message, "group \"gvt\""));

	assert_int_equal(config_set(&m->config, "Access", "AdminGroup", root_group->gr_name), 0);
	assert_int_equal(auth_check(m, &(Caller) { .uid = 1000, .gid = 1000, .groups = groups, .n_groups = 2 },
				    ACTION_MANAGE_MODULES, &e), 0);
	assert_int_equal(auth_check(m, &(Caller) { .uid = 1000, .gid = 1000, .groups = groups, .n_groups = 1 },
				    ACTION_MANAGE_MODULES, &e), -EPERM);
	assert_non_null(strstr(e.message, "load or unload"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plans),
		cmocka_unit_test(test_device_ids),
		cmocka_unit_test(test_auto_profile),
		cmocka_unit_test(test_i915_checks),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_config_long_line),
		cmocka_unit_test(test_auth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
