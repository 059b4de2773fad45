// SPDX-License-Identifier: GPL-2.0-only
/* Description parsing, reading a tree in the kernel's layout, and diffs between scans. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "fake-root.h"
#include "inventory.h"
#include "macro.h"

static void test_description(void **state)
{
	static const struct {
		const char *text;
		int r;
		MdevTypeDescription d;
	} cases[] = {
		/* kvmgt's format, exactly */
		{ "low_gm_size: 128MB\nhigh_gm_size: 512MB\nfence: 4\nresolution: 1920x1200\nweight: 4\n", 0,
		  { 128, 512, 4, 4, "1920x1200" } },
		{ "low_gm_size: 64MB\nhigh_gm_size: 384MB\nfence: 4\nresolution: 1024x768\nweight: 2\n", 0,
		  { 64, 384, 4, 2, "1024x768" } },
		/* as sysfs_read leaves it: no final newline */
		{ "low_gm_size: 512MB\nhigh_gm_size: 2048MB\nfence: 4\nresolution: 1920x1200\nweight: 16", 0,
		  { 512, 2048, 4, 16, "1920x1200" } },
		/* a field a newer kernel may add is ignored */
		{ "low_gm_size: 64MB\nhigh_gm_size: 384MB\nfence: 4\nresolution: 1024x768\nweight: 2\nfoo: bar\n", 0,
		  { 64, 384, 4, 2, "1024x768" } },
		{ "", -EBADMSG, {} },
		{ "low_gm_size: 64MB\nhigh_gm_size: 384MB\nfence: 4\nresolution: 1024x768\n", -EBADMSG, {} },
		{ "low_gm_size: 64\nhigh_gm_size: 384MB\nfence: 4\nresolution: 1024x768\nweight: 2\n", -EBADMSG, {} },
		{ "low_gm_size: -64MB\nhigh_gm_size: 384MB\nfence: 4\nresolution: 1024x768\nweight: 2\n", -EBADMSG, {} },
		{ "low_gm_size: 64MB\nhigh_gm_size: 384MB\nfence: x\nresolution: 1024x768\nweight: 2\n", -EBADMSG, {} },
		{ "low_gm_size: 64MB\nhigh_gm_size: 384MB\nfence: 4\nresolution: big\nweight: 2\n", -EBADMSG, {} },
		{ "low_gm_size: 99999999999MB\nhigh_gm_size: 384MB\nfence: 4\nresolution: 1x1\nweight: 2\n", -EBADMSG, {} },
		{ "garbage", -EBADMSG, {} },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		MdevTypeDescription d = {};

		assert_int_equal(mdev_type_description_parse(cases[i].text, &d), cases[i].r);
		if (cases[i].r < 0)
			continue;
		assert_int_equal(d.low_gm_mib, cases[i].d.low_gm_mib);
		assert_int_equal(d.high_gm_mib, cases[i].d.high_gm_mib);
		assert_int_equal(d.fences, cases[i].d.fences);
		assert_int_equal(d.weight, cases[i].d.weight);
		assert_string_equal(d.resolution, cases[i].d.resolution);
	}
}

static void test_scan(void **state)
{
	char *root = fake_root_new();
	Inventory inv = {};
	const Parent *p;
	const Vgpu *v;
	const MdevType *t;

	fake_root_add_vgpu(root, "0000:00:02.0", "gvt_base-GVTg_V5_4", "0b9e3a49-83a8-4c4e-9b1b-2f3c7ad2a5e1");
	/* names gvtd does not accept are skipped, not followed */
	fake_root_write(root, "sys/bus/mdev/devices/not a uuid", "");

	assert_int_equal(inventory_scan(root, NULL, &inv), 0);
	assert_int_equal(inv.n_parents, 1);
	p = inv.parents[0];
	assert_string_equal(p->name, "0000:00:02.0");
	assert_string_equal(p->driver, "gvt_base");
	assert_int_equal(p->n_types, 3);
	t = parent_find_type(p, "gvt_base-GVTg_V5_8");
	assert_non_null(t);
	assert_true(t->described);
	assert_string_equal(t->pretty_name, "GVTg_V5_8");
	assert_string_equal(t->device_api, "vfio-pci");
	/* fake-sysfs.sh: 384 MiB aperture, 3200 MiB hidden, 28 fences for vGPUs */
	assert_int_equal(t->available, 6);
	assert_null(parent_find_type(p, "gvt_base-GVTg_V5_1"));

	assert_int_equal(inv.n_vgpus, 1);
	v = inventory_find_vgpu(&inv, "0b9e3a49-83a8-4c4e-9b1b-2f3c7ad2a5e1");
	assert_non_null(v);
	assert_string_equal(v->parent, "0000:00:02.0");
	assert_string_equal(v->type, "gvt_base-GVTg_V5_4");
	assert_true(v->has_vgpu_id);
	assert_int_equal(v->vgpu_id, 3);
	assert_true(v->described);
	assert_int_equal(v->desc.low_gm_mib, 128);
	inventory_done(&inv);

	fake_root_free(root);
}

/* A rescan with the last inventory as cache rereads only available_instances of a known type. */
static void test_scan_cached(void **state)
{
	char *root = fake_root_new();
	const char *dir = "sys/class/mdev_bus/0000:00:02.0/mdev_supported_types/gvt_base-GVTg_V5_8/";
	char path[256];
	Inventory a = {}, b = {}, c = {};
	const MdevType *t;

	assert_int_equal(inventory_scan(root, NULL, &a), 0);
	snprintf(path, sizeof(path), "%sname", dir);
	fake_root_write(root, path, "changed\n");
	snprintf(path, sizeof(path), "%savailable_instances", dir);
	fake_root_write(root, path, "2\n");

	assert_int_equal(inventory_scan(root, &a, &b), 0);
	t = parent_find_type(b.parents[0], "gvt_base-GVTg_V5_8");
	assert_string_equal(t->pretty_name, "GVTg_V5_8");
	assert_true(t->described);
	assert_int_equal(t->desc.low_gm_mib, 64);
	assert_int_equal(t->available, 2);

	/* without the cache, everything is read */
	assert_int_equal(inventory_scan(root, NULL, &c), 0);
	assert_string_equal(parent_find_type(c.parents[0], "gvt_base-GVTg_V5_8")->pretty_name, "changed");
	inventory_done(&a);
	inventory_done(&b);
	inventory_done(&c);
	fake_root_free(root);
}

static void test_scan_empty(void **state)
{
	Inventory inv = {};

	/* no mdev module: no directories at all, and that is not an error */
	assert_int_equal(inventory_scan("/nonexistent-gvtd-root", NULL, &inv), 0);
	assert_int_equal(inv.n_parents, 0);
	assert_int_equal(inv.n_vgpus, 0);
}

typedef struct Seen {
	char log[512];
} Seen;

static void note(Seen *s, const char *what, const char *name)
{
	size_t n = strlen(s->log);

	snprintf(s->log + n, sizeof(s->log) - n, "%s %s;", what, name);
}

static void vgpu_added(const Vgpu *v, void *u) { note(u, "+vgpu", v->uuid); }
static void vgpu_removed(const Vgpu *v, void *u) { note(u, "-vgpu", v->uuid); }
static void vgpu_changed(const Vgpu *o, const Vgpu *v, void *u) { note(u, "~vgpu", v->uuid); }
static void parent_added(const Parent *p, void *u) { note(u, "+parent", p->name); }
static void parent_removed(const Parent *p, void *u) { note(u, "-parent", p->name); }
static void parent_changed(const Parent *p, void *u) { note(u, "~parent", p->name); }

static const InventoryDiffOps ops = {
	vgpu_added, vgpu_removed, vgpu_changed, parent_added, parent_removed, parent_changed,
};

static void test_diff(void **state)
{
	char *root = fake_root_new();
	Inventory a = {}, b = {}, c = {}, empty = {};
	Seen s = {};

	assert_int_equal(inventory_scan(root, NULL, &a), 0);
	fake_root_add_parent(root, "0000:00:03.0", "gvt_base");
	fake_root_add_vgpu(root, "0000:00:02.0", "gvt_base-GVTg_V5_8", "11111111-2222-3333-4444-555555555555");
	fake_root_write(root, "sys/class/mdev_bus/0000:00:02.0/mdev_supported_types/gvt_base-GVTg_V5_8/available_instances",
			"5\n");
	assert_int_equal(inventory_scan(root, NULL, &b), 0);

	inventory_diff(&empty, &a, &ops, &s);
	assert_string_equal(s.log, "+parent 0000:00:02.0;");
	s.log[0] = '\0';
	inventory_diff(&a, &b, &ops, &s);
	assert_string_equal(s.log, "~parent 0000:00:02.0;+parent 0000:00:03.0;+vgpu 11111111-2222-3333-4444-555555555555;");
	s.log[0] = '\0';
	inventory_diff(&b, &b, &ops, &s);
	assert_string_equal(s.log, "");

	/* removals come first */
	assert_int_equal(inventory_scan("/nonexistent-gvtd-root", NULL, &c), 0);
	inventory_diff(&b, &c, &ops, &s);
	assert_string_equal(s.log, "-vgpu 11111111-2222-3333-4444-555555555555;-parent 0000:00:02.0;-parent 0000:00:03.0;");

	inventory_done(&a);
	inventory_done(&b);
	inventory_done(&c);
	fake_root_free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_description),
		cmocka_unit_test(test_scan),
		cmocka_unit_test(test_scan_cached),
		cmocka_unit_test(test_scan_empty),
		cmocka_unit_test(test_diff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
