// SPDX-License-Identifier: GPL-2.0-only
/* Names, UUIDs and path building: what may reach the file system. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "macro.h"
#include "sysfs.h"

static void test_name_validation(void **state)
{
	static const struct {
		const char *name;
		bool valid;
	} cases[] = {
		{ "0000:00:02.0", true },
		{ "gvt_base-GVTg_V5_4", true },
		{ "i915-GVTg_V4_1", true },
		{ "gvt_base.0", true },
		{ "", false },
		{ ".", false },
		{ "..", false },
		{ "../etc", false },
		{ "a/b", false },
		{ "/", false },
		{ "type name", false },
		{ "type\n", false },
		{ "caf\xc3\xa9", false },
		{ "$(reboot)", false },
		{ "...", true }, /* harmless as a single component */
	};
	char longest[GVT_NAME_MAX + 2];

	for (size_t i = 0; i < ELEMENTSOF(cases); i++)
		assert_int_equal(gvt_name_is_valid(cases[i].name), cases[i].valid);
	assert_false(gvt_name_is_valid(NULL));

	memset(longest, 'a', sizeof(longest));
	longest[GVT_NAME_MAX] = '\0';
	assert_true(gvt_name_is_valid(longest));
	longest[GVT_NAME_MAX] = 'a';
	longest[GVT_NAME_MAX + 1] = '\0';
	assert_false(gvt_name_is_valid(longest));
}

static void test_uuid(void **state)
{
	static const struct {
		const char *in;
		const char *out; /* NULL: rejected */
	} cases[] = {
		{ "0b9e3a49-83a8-4c4e-9b1b-2f3c7ad2a5e1", "0b9e3a49-83a8-4c4e-9b1b-2f3c7ad2a5e1" },
		{ "0B9E3A49-83A8-4C4E-9B1B-2F3C7AD2A5E1", "0b9e3a49-83a8-4c4e-9b1b-2f3c7ad2a5e1" },
		{ "00000000-0000-0000-0000-000000000000", "00000000-0000-0000-0000-000000000000" },
		{ "0b9e3a4983a84c4e9b1b2f3c7ad2a5e1", NULL },
		{ "0b9e3a49-83a8-4c4e-9b1b-2f3c7ad2a5e", NULL },
		{ "0b9e3a49-83a8-4c4e-9b1b-2f3c7ad2a5e1a", NULL },
		{ "0b9e3a49_83a8-4c4e-9b1b-2f3c7ad2a5e1", NULL },
		{ "0g9e3a49-83a8-4c4e-9b1b-2f3c7ad2a5e1", NULL },
		{ "../../../../../../../../../../../../", NULL },
		{ "", NULL },
		{ "{0b9e3a49-83a8-4c4e-9b1b-2f3c7ad2a5e1}", NULL },
	};
	char out[GVT_UUID_STRING_MAX], a[GVT_UUID_STRING_MAX], b[GVT_UUID_STRING_MAX];

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		int r = gvt_uuid_normalize(cases[i].in, out);

		if (cases[i].out) {
			assert_int_equal(r, 0);
			assert_string_equal(out, cases[i].out);
		} else
			assert_int_equal(r, -EINVAL);
	}
	assert_int_equal(gvt_uuid_normalize(NULL, out), -EINVAL);

	assert_int_equal(gvt_uuid_generate(a), 0);
	assert_int_equal(gvt_uuid_generate(b), 0);
	assert_int_equal(gvt_uuid_normalize(a, out), 0);
	assert_string_equal(out, a);
	assert_string_not_equal(a, b);
}

static void test_paths(void **state)
{
	char *p = NULL;

	assert_int_equal(sysfs_path(&p, NULL, SYSFS_MDEV_BUS, "0000:00:02.0", SYSFS_TYPES_DIR, "t", "create", NULL), 0);
	assert_string_equal(p, "/sys/class/mdev_bus/0000:00:02.0/mdev_supported_types/t/create");
	free(p);
	assert_int_equal(sysfs_path(&p, "/tmp/root", SYSFS_MDEV_DEVICES, "u", NULL), 0);
	assert_string_equal(p, "/tmp/root/sys/bus/mdev/devices/u");
	free(p);
	assert_int_equal(sysfs_path(&p, "/", SYSFS_MODULES, NULL), 0);
	assert_string_equal(p, "/sys/module");
	free(p);

	p = NULL;
	assert_int_equal(sysfs_path(&p, NULL, SYSFS_MDEV_BUS, "..", "create", NULL), -EINVAL);
	assert_int_equal(sysfs_path(&p, NULL, SYSFS_MDEV_BUS, "ok", "../../x", NULL), -EINVAL);
	assert_int_equal(sysfs_path(&p, NULL, SYSFS_MDEV_BUS, "", NULL), -EINVAL);
	assert_null(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_validation),
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
