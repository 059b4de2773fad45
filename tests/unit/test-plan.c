// SPDX-License-Identifier: GPL-2.0-only
/*
 * The capacity planner against kvmgt's arithmetic, worked out here
 * (kvmgt-model.h and the sums below), not taken from capacity.c or plan.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "kvmgt-model.h"
#include "macro.h"
#include "plan.h"

static const unsigned apertures[] = { 256, 512, 1024, 2048 };
#define GGTT 4096

static Resources held_of(const unsigned held[4])
{
	Resources r = {};

	for (size_t i = 0; i < 4; i++) {
		r.aperture_mib += held[i] * kvmgt[i].low;
		r.hidden_mib += held[i] * kvmgt[i].high;
		r.fences += held[i] * kvmgt[i].fences;
		r.count += held[i];
	}
	return r;
}

static PlanParent parent_of(Parent *p, const char *name, MdevType types[4], unsigned aperture,
			    const unsigned held[4], Definition *const *defs, size_t n_defs)
{
	Resources h = held_of(held), totals = { aperture, GGTT - aperture, 32, 0 };
	Inventory inv = {};
	PlanParent pp;

	kvmgt_model(p, name, types, aperture, GGTT, held);
	plan_parent(p, &h, &totals, &inv, defs, n_defs, &pp);
	return pp;
}

/* The resources (mask) whose sum over held + ask exceeds what kvmgt gives vGPUs. */
static unsigned over(unsigned aperture, const unsigned held[4], const unsigned ask[4])
{
	long low = aperture - 128, high = GGTT - aperture - 384, fences = 28, count = 7;
	unsigned mask = 0;

	for (size_t i = 0; i < 4; i++) {
		low -= (long) (held[i] + ask[i]) * kvmgt[i].low;
		high -= (long) (held[i] + ask[i]) * kvmgt[i].high;
		fences -= (long) (held[i] + ask[i]) * kvmgt[i].fences;
		count -= held[i] + ask[i];
	}
	mask |= (low < 0) << RESOURCE_APERTURE;
	mask |= (high < 0) << RESOURCE_HIDDEN;
	mask |= (fences < 0) << RESOURCE_FENCES;
	mask |= (count < 0) << RESOURCE_INSTANCES;
	return mask;
}

/* One GPU: a mix fits exactly when its sums do; what ran short is among what the sums exceed. */
static void test_one_gpu_sums(void **state)
{
	static const unsigned helds[][4] = { { 0, 0, 0, 0 }, { 1, 1, 0, 0 }, { 3, 0, 0, 0 }, { 0, 0, 1, 0 } };
	size_t checked = 0;

	for (size_t a = 0; a < ELEMENTSOF(apertures); a++)
		for (size_t h = 0; h < ELEMENTSOF(helds); h++)
			for (unsigned code = 0; code < 256; code++) {
				unsigned ask[4] = { code & 3, (code >> 2) & 3, (code >> 4) & 3, code >> 6 };
				MdevType types[4] = {};
				PlanAsk asks[4];
				size_t n = 0;
				bool offered = true;
				PlanResult res;
				PlanParent pp;
				Parent p;
				GvtError e = {};
				unsigned mask;

				pp = parent_of(&p, "0000:00:02.0", types, apertures[a], helds[h], NULL, 0);
				if (over(apertures[a], helds[h], (unsigned[4]) {}) != 0)
					continue;       /* the held vGPUs alone would not fit this GPU */
				for (size_t i = 0; i < 4; i++)
					if (ask[i]) {
						asks[n++] = (PlanAsk) { kvmgt[i].name + 5, ask[i] };
						offered = offered && i < p.n_types;
					}
				if (n == 0)
					continue;
				assert_int_equal(plan_place(&pp, 1, asks, n, &res, &e), 0);
				mask = over(apertures[a], helds[h], ask);
				assert_true(res.exact);
				if (!offered) {
					assert_false(res.fits);
					continue;
				}
				assert_int_equal(res.fits, mask == 0);
				if (!res.fits) {
					assert_ptr_equal(res.short_parent, &p);
					assert_true(mask & (1u << res.short_resource));
				} else
					for (size_t i = 0; i < res.n_placements; i++)
						assert_ptr_equal(res.placements[i].parent, &p);
				checked++;
			}
	assert_true(checked > 1000);
}

/* The most of each type that still fit is kvmgt's available_instances, capped at 7 vGPUs per GPU. */
static void test_most(void **state)
{
	for (size_t a = 0; a < ELEMENTSOF(apertures); a++)
		for (unsigned code = 0; code < 256; code++) {
			unsigned held[4] = { code & 3, (code >> 2) & 3, (code >> 4) & 3, code >> 6 };
			MdevType types[4] = {};
			PlanParent pp;
			Parent p;

			if (over(apertures[a], held, (unsigned[4]) {}) != 0)
				continue;
			pp = parent_of(&p, "0000:00:02.0", types, apertures[a], held, NULL, 0);
			for (size_t i = 0; i < p.n_types; i++) {
				unsigned count = held[0] + held[1] + held[2] + held[3];
				unsigned want = types[i].available < 7 - count ? types[i].available : 7 - count;

				assert_int_equal(plan_most(&pp, &types[i]), want);
			}
		}
}

/* Worked out by hand. */
static void test_cases(void **state)
{
	static const unsigned none[4] = {};
	MdevType t0[4] = {}, t1[4] = {};
	Parent p0, p1;
	PlanParent pp[2];
	PlanResult res;
	GvtError e = {};

	/* 512 MiB aperture: 384 for vGPUs; 2 x _4 + 3 x _8 need 448: the aperture runs out */
	pp[0] = parent_of(&p0, "0000:00:02.0", t0, 512, none, NULL, 0);
	assert_int_equal(plan_place(pp, 1, (PlanAsk[]) { { "GVTg_V5_4", 2 }, { "GVTg_V5_8", 3 } }, 2, &res, &e), 0);
	assert_false(res.fits);
	assert_int_equal(res.short_resource, RESOURCE_APERTURE);
	assert_string_equal(res.short_type, "GVTg_V5_8");
	/* 1 x _4 + 3 x _8 = 320 MiB: fits, every one on the GPU, in the order asked */
	pp[0] = parent_of(&p0, "0000:00:02.0", t0, 512, none, NULL, 0);
	assert_int_equal(plan_place(pp, 1, (PlanAsk[]) { { "GVTg_V5_4", 1 }, { "i915-GVTg_V5_8", 3 } }, 2, &res, &e), 0);
	assert_true(res.fits);
	assert_int_equal(res.n_placements, 4);
	assert_string_equal(res.placements[0].type->name, "i915-GVTg_V5_4");
	assert_string_equal(res.placements[3].type->name, "i915-GVTg_V5_8");
	/* what is left: 64 MiB aperture = one more _8 */
	assert_int_equal(plan_most(&pp[0], &t0[0]), 1);
	/* 1024 MiB aperture: 7 x _8 take all 2688 MiB hidden and 28 fences; an 8th: hidden first */
	pp[0] = parent_of(&p0, "0000:00:02.0", t0, 1024, none, NULL, 0);
	assert_int_equal(plan_place(pp, 1, (PlanAsk[]) { { "GVTg_V5_8", 7 } }, 1, &res, &e), 0);
	assert_true(res.fits);
	pp[0] = parent_of(&p0, "0000:00:02.0", t0, 1024, none, NULL, 0);
	assert_int_equal(plan_place(pp, 1, (PlanAsk[]) { { "GVTg_V5_8", 8 } }, 1, &res, &e), 0);
	assert_false(res.fits);
	assert_int_equal(res.short_resource, RESOURCE_HIDDEN);
	/* two GPUs: the first full with six _8, the asked _8 goes to the second */
	pp[0] = parent_of(&p0, "0000:00:02.0", t0, 512, (unsigned[4]) { 6, 0, 0, 0 }, NULL, 0);
	pp[1] = parent_of(&p1, "gvt_base.1", t1, 512, none, NULL, 0);
	assert_int_equal(plan_place(pp, 2, (PlanAsk[]) { { "GVTg_V5_8", 2 } }, 1, &res, &e), 0);
	assert_true(res.fits);
	assert_ptr_equal(res.placements[0].parent, &p1);
	assert_ptr_equal(res.placements[1].parent, &p1);
	/* a type no GPU offers (256 MiB aperture: no _2): no parent to blame */
	pp[0] = parent_of(&p0, "0000:00:02.0", t0, 256, none, NULL, 0);
	assert_int_equal(plan_place(pp, 1, (PlanAsk[]) { { "GVTg_V5_2", 1 } }, 1, &res, &e), 0);
	assert_false(res.fits);
	assert_null(res.short_parent);
	assert_null(res.placements[0].parent);
	/* bad asks: a clear error, nothing placed */
	assert_int_equal(plan_place(pp, 1, NULL, 0, &res, &e), -EINVAL);
	assert_int_equal(plan_place(pp, 1, (PlanAsk[]) { { "GVTg_V5_8", 0 } }, 1, &res, &e), -EINVAL);
	assert_int_equal(plan_place(pp, 1, (PlanAsk[]) { { "GVTg_V5_8", 65 } }, 1, &res, &e), -EINVAL);
	assert_non_null(strstr(e.message, "1 to 64 vGPUs"));
}

/* Auto-start definitions that do not run take their room; running ones and other parents' do not. */
static void test_auto_definitions(void **state)
{
	static const unsigned none[4] = {};
	Definition d4 = { .uuid = "11111111-1111-1111-1111-111111111111", .parent = (char *) "0000:00:02.0",
			  .type = (char *) "i915-GVTg_V5_4", .autostart = true };
	Definition other = { .uuid = "22222222-2222-2222-2222-222222222222", .parent = (char *) "gvt_base.9",
			     .type = (char *) "i915-GVTg_V5_4", .autostart = true };
	Definition *defs[] = { &d4, &other };
	MdevType t[4] = {};
	PlanParent pp;
	Parent p;

	/* 384 MiB: three _4 fit; one defined: two; fences 28 - 4 = 24; instances 7 - 1 = 6 */
	pp = parent_of(&p, "0000:00:02.0", t, 512, none, defs, ELEMENTSOF(defs));
	assert_int_equal(plan_most(&pp, &t[1]), 2);
	assert_int_equal(pp.free.aperture_mib, 384 - 128);
	assert_int_equal(pp.free.fences, 24);
	assert_int_equal(pp.free.count, 6);
}

/* Totals unknown: each free resource is the lower bound the types' counts prove; the plan says so. */
static void test_estimate(void **state)
{
	static const unsigned held[4] = { 2, 0, 0, 0 };
	Resources h = held_of(held);
	MdevType t[4] = {};
	Inventory inv = {};
	PlanParent pp;
	PlanResult res;
	GvtError e = {};
	Parent p;

	/* 512 MiB, two _8 held: 256 MiB free; _8 shows 4, _4 2, _2 1: proven 256 MiB aperture */
	kvmgt_model(&p, "0000:00:02.0", t, 512, GGTT, held);
	plan_parent(&p, &h, NULL, &inv, NULL, 0, &pp);
	assert_false(pp.exact);
	assert_int_equal(pp.free.aperture_mib, 256);
	assert_int_equal(plan_most(&pp, &t[0]), t[0].available);
	assert_int_equal(plan_place(&pp, 1, (PlanAsk[]) { { "GVTg_V5_8", 1 } }, 1, &res, &e), 0);
	assert_true(res.fits);
	assert_false(res.exact);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_gpu_sums),
		cmocka_unit_test(test_most),
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_auto_definitions),
		cmocka_unit_test(test_estimate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
