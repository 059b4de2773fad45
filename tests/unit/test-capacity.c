// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which resource ran out. Each scenario is a GPU (aperture, GGTT) with some
 * vGPUs; the counts the kernel would show are computed here with kvmgt's
 * formulas (gvt/vgpu.c), independently of the daemon's code.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "capacity.h"
#include "fake-root.h"
#include "kvmgt-model.h"
#include "macro.h"

#define A (1u << RESOURCE_APERTURE)
#define H (1u << RESOURCE_HIDDEN)
#define F (1u << RESOURCE_FENCES)
#define I (1u << RESOURCE_INSTANCES)

static void test_exhausted(void **state)
{
	static const struct {
		unsigned aperture, ggtt;
		unsigned held[4];     /* vGPUs per type _8, _4, _2, _1 */
		size_t request;       /* index into kvmgt[] */
		unsigned exact;       /* what ran out, worked out by hand */
	} cases[] = {
		/* 384 MiB aperture for vGPUs, all taken by six _8: aperture (hidden 896, fences 4 left) */
		{ 512, 4096, { 6, 0, 0, 0 }, 0, A },
		{ 512, 4096, { 6, 0, 0, 0 }, 1, A },
		{ 512, 4096, { 0, 3, 0, 0 }, 1, A },
		/* big aperture, small GGTT: hidden runs out first (1664 MiB, three _4 hold 1536) */
		{ 2048, 4096, { 0, 3, 0, 0 }, 1, H },
		/* seven _8 take all 28 fences and all 2688 MiB hidden: both */
		{ 1024, 4096, { 7, 0, 0, 0 }, 0, H | F },
		/* room by size: an ENOSPC means the vGPU cap */
		{ 1024, 4096, { 1, 0, 0, 0 }, 0, I },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		MdevType types[4] = {};
		Resources held = {}, totals;
		Parent p;
		unsigned guess;

		kvmgt_model(&p, "0000:00:02.0", types, cases[i].aperture, cases[i].ggtt, cases[i].held);
		for (size_t j = 0; j < 4; j++) {
			held.aperture_mib += cases[i].held[j] * kvmgt[j].low;
			held.hidden_mib += cases[i].held[j] * kvmgt[j].high;
			held.fences += cases[i].held[j] * kvmgt[j].fences;
		}
		totals = (Resources) { cases[i].aperture, cases[i].ggtt - cases[i].aperture, 32, 0 };

		assert_int_equal(capacity_exhausted(&p, &types[cases[i].request], &held, &totals), cases[i].exact);
		/* without totals: never misses the culprit, may name more */
		guess = capacity_exhausted(&p, &types[cases[i].request], &held, NULL);
		assert_int_equal(guess & cases[i].exact, cases[i].exact);
	}
}

static void test_totals_and_message(void **state)
{
	char *root = fake_root_new();
	Inventory inv = {};
	Resources totals;
	GvtError e = {};
	MdevType *t;

	char cmd[512];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/sys/module/gvt_base/parameters' && "
		 "echo 512 >'%s/sys/module/gvt_base/parameters/aperture_mb'", root, root);
	assert_int_equal(system(cmd), 0);
	/* fake-sysfs.sh: six _8 fill the 384 MiB aperture */
	for (int i = 0; i < 6; i++) {
		char uuid[64];

		snprintf(uuid, sizeof(uuid), "00000000-0000-0000-0000-00000000000%d", i);
		fake_root_add_vgpu(root, "0000:00:02.0", "gvt_base-GVTg_V5_8", uuid);
	}
	fake_root_write(root, "sys/class/mdev_bus/0000:00:02.0/mdev_supported_types/gvt_base-GVTg_V5_8/available_instances", "0\n");
	fake_root_write(root, "sys/class/mdev_bus/0000:00:02.0/mdev_supported_types/gvt_base-GVTg_V5_4/available_instances", "0\n");
	fake_root_write(root, "sys/class/mdev_bus/0000:00:02.0/mdev_supported_types/gvt_base-GVTg_V5_2/available_instances", "0\n");
	assert_int_equal(inventory_scan(root, NULL, &inv), 0);

	assert_int_equal(capacity_totals(root, inv.parents[0], &totals), 0);
	assert_int_equal(totals.aperture_mib, 512);
	assert_int_equal(totals.hidden_mib, 3584);
	assert_int_equal(totals.fences, 32);

	t = parent_find_type(inv.parents[0], "gvt_base-GVTg_V5_8");
	assert_int_equal(capacity_explain(root, &inv, inv.parents[0], t, &e), -ENOSPC);
	assert_int_equal(e.kind, GVT_ERROR_NO_CAPACITY);
	assert_string_equal(e.resource, "aperture");
	assert_non_null(strstr(e.message, "aperture (needs 64 MiB, vGPUs hold 384 MiB)"));

	/* without the parameter the totals are unknown: candidates, still naming the aperture */
	assert_int_equal(capacity_totals("/nonexistent-gvtd-root", inv.parents[0], &totals), -ENODATA);

	inventory_done(&inv);
	fake_root_free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exhausted),
		cmocka_unit_test(test_totals_and_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
