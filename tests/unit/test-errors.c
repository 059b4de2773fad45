// SPDX-License-Identifier: GPL-2.0-only
/* The error vocabulary and its one D-Bus map. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "dbus.h"
#include "errors.h"

static void test_errno_to_kind(void **state)
{
	static const struct {
		int error;
		GvtErrorKind kind;
	} cases[] = {
		{ EINVAL, GVT_ERROR_INVALID_ARGUMENT },
		{ -EINVAL, GVT_ERROR_INVALID_ARGUMENT },
		{ ENAMETOOLONG, GVT_ERROR_INVALID_ARGUMENT },
		{ ENOENT, GVT_ERROR_NOT_FOUND },
		{ ENODEV, GVT_ERROR_NOT_FOUND },
		{ EEXIST, GVT_ERROR_ALREADY_EXISTS },
		{ ENOSPC, GVT_ERROR_NO_CAPACITY },
		{ EBUSY, GVT_ERROR_BUSY },
		{ EPERM, GVT_ERROR_NOT_PERMITTED },
		{ EACCES, GVT_ERROR_NOT_PERMITTED },
		{ ENOPKG, GVT_ERROR_MODULE_FAILURE },
		{ EAGAIN, GVT_ERROR_NOT_READY },
		{ EDQUOT, GVT_ERROR_QUOTA_EXCEEDED },
		{ EIO, GVT_ERROR_FAILED },
		{ ENOMEM, GVT_ERROR_FAILED },
		{ 0, GVT_ERROR_NONE },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(gvt_error_kind_from_errno(cases[i].error), cases[i].kind);
}

static void test_kinds_round_trip(void **state)
{
	/* Each kind's errno maps back to the kind: adapters may pass either. */
	for (GvtErrorKind k = GVT_ERROR_FAILED; k < _GVT_ERROR_KIND_MAX; k++) {
		assert_non_null(gvt_error_kind_to_string(k));
		assert_int_equal(gvt_error_kind_from_errno(gvt_error_kind_to_errno(k)), k);
	}
	assert_null(gvt_error_kind_to_string(_GVT_ERROR_KIND_MAX));
}

static void test_kind_from_string(void **state)
{
	for (GvtErrorKind k = GVT_ERROR_FAILED; k < _GVT_ERROR_KIND_MAX; k++)
		assert_int_equal(gvt_error_kind_from_string(gvt_error_kind_to_string(k)), k);
	assert_int_equal(gvt_error_kind_from_string("None"), -EINVAL);
	assert_int_equal(gvt_error_kind_from_string("notfound"), -EINVAL);
	assert_int_equal(gvt_error_kind_from_string(NULL), -EINVAL);
}

/* Each error an adapter answers counts once under its kind (the metrics' gvtd_errors_total). */
static void test_counted(void **state)
{
	uint64_t busy = gvt_error_reported_count(GVT_ERROR_BUSY), failed = gvt_error_reported_count(GVT_ERROR_FAILED);
	uint64_t invalid = gvt_error_reported_count(GVT_ERROR_INVALID_ARGUMENT);
	const char *message;
	GvtError e = {};

	gvt_error_set(&e, GVT_ERROR_BUSY, "in use");
	assert_int_equal(gvt_error_reported_count(GVT_ERROR_BUSY), busy);   /* set is not answered yet */
	assert_int_equal(gvt_error_resolve(-EBUSY, &e, &message), GVT_ERROR_BUSY);
	assert_int_equal(gvt_error_reported_count(GVT_ERROR_BUSY), busy + 1);
	/* errno alone; one that maps to no kind is Failed */
	assert_int_equal(gvt_error_resolve(-EBUSY, NULL, &message), GVT_ERROR_BUSY);
	assert_int_equal(gvt_error_resolve(0, NULL, &message), GVT_ERROR_FAILED);
	assert_int_equal(gvt_error_reported_count(GVT_ERROR_BUSY), busy + 2);
	assert_int_equal(gvt_error_reported_count(GVT_ERROR_FAILED), failed + 1);
	gvt_error_count(GVT_ERROR_INVALID_ARGUMENT);
	gvt_error_count(GVT_ERROR_NONE);
	gvt_error_count(_GVT_ERROR_KIND_MAX);
	assert_int_equal(gvt_error_reported_count(GVT_ERROR_INVALID_ARGUMENT), invalid + 1);
	assert_int_equal(gvt_error_reported_count(GVT_ERROR_NONE), 0);
}

static void test_set(void **state)
{
	GvtError e = {};

	assert_int_equal(gvt_error_set(&e, GVT_ERROR_BUSY, "vGPU %s in use", "x"), -EBUSY);
	assert_int_equal(e.kind, GVT_ERROR_BUSY);
	assert_string_equal(e.message, "vGPU x in use");

	e = (GvtError) {};
	assert_int_equal(gvt_error_set_errno(&e, -ENOENT, "Failed to open %s", "f"), -ENOENT);
	assert_int_equal(e.kind, GVT_ERROR_NOT_FOUND);
	assert_string_equal(e.message, "Failed to open f: No such file or directory");

	/* ensure() keeps a specific message, fills in a missing one */
	assert_int_equal(gvt_error_ensure(&e, EIO), -EIO);
	assert_string_equal(e.message, "Failed to open f: No such file or directory");
	e = (GvtError) {};
	gvt_error_ensure(&e, -ENOSPC);
	assert_int_equal(e.kind, GVT_ERROR_NO_CAPACITY);

	assert_int_equal(gvt_error_set(NULL, GVT_ERROR_NOT_PERMITTED, "no"), -EPERM);
}

/* Messages leave gvtd valid UTF-8: a character cut by a bounded format, or a caller's stray byte, is '?'. */
static void test_utf8(void **state)
{
	GvtError e = {};

	/* "\xc3\xa9" is e-acute: %.5s cuts the third one in half */
	gvt_error_set(&e, GVT_ERROR_INVALID_ARGUMENT, "Unknown limit \"%.5s\"", "\xc3\xa9\xc3\xa9\xc3\xa9");
	assert_string_equal(e.message, "Unknown limit \"\xc3\xa9\xc3\xa9?\"");
	gvt_error_set(&e, GVT_ERROR_INVALID_ARGUMENT, "bad %s", "a\xff\xfe" "b \xe2\x82\xac");
	assert_string_equal(e.message, "bad a??b \xe2\x82\xac");
	/* surrogates and overlong forms are not UTF-8 either */
	gvt_error_set(&e, GVT_ERROR_INVALID_ARGUMENT, "%s", "\xed\xa0\x80 \xc0\xaf");
	assert_string_equal(e.message, "??? ??");
}

static void test_dbus_names(void **state)
{
	static const struct {
		GvtErrorKind kind;
		const char *name;
	} cases[] = {
		{ GVT_ERROR_FAILED, "org.gvtd1.Error.Failed" },
		{ GVT_ERROR_INVALID_ARGUMENT, "org.gvtd1.Error.InvalidArgument" },
		{ GVT_ERROR_NOT_FOUND, "org.gvtd1.Error.NotFound" },
		{ GVT_ERROR_ALREADY_EXISTS, "org.gvtd1.Error.AlreadyExists" },
		{ GVT_ERROR_NO_CAPACITY, "org.gvtd1.Error.NoCapacity" },
		{ GVT_ERROR_BUSY, "org.gvtd1.Error.Busy" },
		{ GVT_ERROR_NOT_PERMITTED, "org.gvtd1.Error.NotPermitted" },
		{ GVT_ERROR_MODULE_FAILURE, "org.gvtd1.Error.ModuleFailure" },
		{ GVT_ERROR_NOT_READY, "org.gvtd1.Error.NotReady" },
		{ GVT_ERROR_QUOTA_EXCEEDED, "org.gvtd1.Error.QuotaExceeded" },
		{ GVT_ERROR_VETOED, "org.gvtd1.Error.Vetoed" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sd_bus_error error = SD_BUS_ERROR_NULL;
		GvtError e = {};

		gvt_error_set(&e, cases[i].kind, "message %zu", i);
		bus_error_from_gvt(&error, gvt_error_kind_to_errno(cases[i].kind), &e);
		assert_string_equal(error.name, cases[i].name);
		assert_string_equal(error.message, e.message);
		sd_bus_error_free(&error);

		/* errno alone, no GvtError: same name, strerror as message */
		bus_error_from_gvt(&error, gvt_error_kind_to_errno(cases[i].kind), NULL);
		assert_string_equal(error.name, cases[i].name);
		sd_bus_error_free(&error);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errno_to_kind),
		cmocka_unit_test(test_kinds_round_trip),
		cmocka_unit_test(test_kind_from_string),
		cmocka_unit_test(test_counted),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_dbus_names),
		cmocka_unit_test(test_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
