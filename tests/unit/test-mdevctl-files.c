// SPDX-License-Identifier: GPL-2.0-only
/*
 * Definition files as mdevctl writes and reads them (issue 16 point 1): gvtd
 * reads what mdevctl accepts, rewrites a file changing only what it changes,
 * and leaves a file it cannot use exactly as it is, listed with the reason.
 *
 * The fixtures are mdevctl's own test data (https://github.com/mdevctl/mdevctl,
 * LGPL-2.1-or-later: tests/load-json/ and tests/modify/, testdata/modify/),
 * rewritten here as C strings. The .out/expected ones are what mdevctl's own
 * writer (serde_json's to_string_pretty) produced, so they are the expected
 * values, not gvtd's output copied back.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <dirent.h>

#include "definitions.h"
#include "fake-manager.h"
#include "macro.h"
#include "mdevctl.h"
#include "store.h"

#define PARENT "0000:00:02.0"
#define UUID "5269fe7a-18d1-48ad-88e1-3fda4176f536"
#define UUID2 "c07ab7b2-8aa2-427a-91c6-ffc949bb77f9"
#define DEF_DIR "etc/mdevctl.d/" PARENT

/* mdevctl tests/load-json/5269fe7a-.../5269fe7a-....in: no "attrs" at all. */
static const char load_json_1_in[] =
	"{\n"
	"    \"mdev_type\": \"i915-GVTg_V5_8\",\n"
	"    \"start\": \"auto\"\n"
	"}\n";

/* mdevctl tests/load-json/c07ab7b2-.../c07ab7b2-....in: uneven indentation, names with '-'. */
static const char load_json_2_in[] =
	"{\n"
	"    \"mdev_type\": \"i915-GVTg_V5_8\",\n"
	"        \"start\": \"manual\",\n"
	"        \"attrs\": [\n"
	"        {\n"
	"            \"example-attribute\": \"attribute-value\"\n"
	"        },\n"
	"        {\n"
	"            \"foo\": \"bar\"\n"
	"        },\n"
	"        {\n"
	"            \"foo2\": \"bar2\"\n"
	"        },\n"
	"        {\n"
	"            \"example-attribute-2\": \"attribute-value-2\"\n"
	"        },\n"
	"        {\n"
	"            \"another-example-attribute\": \"zzz\"\n"
	"        }\n"
	"        ]\n"
	"}\n";

/* ... and the .out mdevctl wrote for it (no final newline: mdevctl writes none). */
static const char load_json_2_out[] =
	"{\n"
	"  \"mdev_type\": \"i915-GVTg_V5_8\",\n"
	"  \"start\": \"manual\",\n"
	"  \"attrs\": [\n"
	"    {\n"
	"      \"example-attribute\": \"attribute-value\"\n"
	"    },\n"
	"    {\n"
	"      \"foo\": \"bar\"\n"
	"    },\n"
	"    {\n"
	"      \"foo2\": \"bar2\"\n"
	"    },\n"
	"    {\n"
	"      \"example-attribute-2\": \"attribute-value-2\"\n"
	"    },\n"
	"    {\n"
	"      \"another-example-attribute\": \"zzz\"\n"
	"    }\n"
	"  ]\n"
	"}";

/* mdevctl tests/modify/manual/defined.json: what each modify below starts from. */
static const char modify_defined[] =
	"{\n"
	"  \"mdev_type\": \"vfio_ap-passthrough\",\n"
	"  \"start\": \"auto\",\n"
	"  \"attrs\": [\n"
	"    {\n      \"assign_adapter\": \"5\"\n    },\n"
	"    {\n      \"assign_adapter\": \"6\"\n    },\n"
	"    {\n      \"assign_domain\": \"0xab\"\n    },\n"
	"    {\n      \"assign_control_domain\": \"0xab\"\n    },\n"
	"    {\n      \"assign_domain\": \"4\"\n    },\n"
	"    {\n      \"assign_control_domain\": \"4\"\n    }\n"
	"  ]\n"
	"}\n";

/* mdevctl testdata/modify/mdev_type.expected: --type changed-mdev-type (and manual start). */
static const char modify_type_expected[] =
	"{\n"
	"  \"mdev_type\": \"changed-mdev-type\",\n"
	"  \"start\": \"manual\",\n"
	"  \"attrs\": [\n"
	"    {\n      \"assign_adapter\": \"5\"\n    },\n"
	"    {\n      \"assign_adapter\": \"6\"\n    },\n"
	"    {\n      \"assign_domain\": \"0xab\"\n    },\n"
	"    {\n      \"assign_control_domain\": \"0xab\"\n    },\n"
	"    {\n      \"assign_domain\": \"4\"\n    },\n"
	"    {\n      \"assign_control_domain\": \"4\"\n    }\n"
	"  ]\n"
	"}";

/* mdevctl tests/modify/addattr/expected: --addattr added-attr --index 3 (and manual start). */
static const char modify_addattr_expected[] =
	"{\n"
	"  \"mdev_type\": \"vfio_ap-passthrough\",\n"
	"  \"start\": \"manual\",\n"
	"  \"attrs\": [\n"
	"    {\n      \"assign_adapter\": \"5\"\n    },\n"
	"    {\n      \"assign_adapter\": \"6\"\n    },\n"
	"    {\n      \"assign_domain\": \"0xab\"\n    },\n"
	"    {\n      \"added-attr\": \"added-attr-value\"\n    },\n"
	"    {\n      \"assign_control_domain\": \"0xab\"\n    },\n"
	"    {\n      \"assign_domain\": \"4\"\n    },\n"
	"    {\n      \"assign_control_domain\": \"4\"\n    }\n"
	"  ]\n"
	"}";

/* mdevctl tests/modify/delattr/expected: --delattr --index 2 (and manual start). */
static const char modify_delattr_expected[] =
	"{\n"
	"  \"mdev_type\": \"vfio_ap-passthrough\",\n"
	"  \"start\": \"manual\",\n"
	"  \"attrs\": [\n"
	"    {\n      \"assign_adapter\": \"5\"\n    },\n"
	"    {\n      \"assign_adapter\": \"6\"\n    },\n"
	"    {\n      \"assign_control_domain\": \"0xab\"\n    },\n"
	"    {\n      \"assign_domain\": \"4\"\n    },\n"
	"    {\n      \"assign_control_domain\": \"4\"\n    }\n"
	"  ]\n"
	"}";

static void definition_done(Definition *d)
{
	free(d->type);
	attrs_free(d->attrs, d->n_attrs);
	json_decref(d->document);
	*d = (Definition) {};
}

/* Parses text (which must be accepted) into *d, with parent and uuid set as a load would. */
static void parse_ok(const char *text, Definition *d)
{
	_cleanup_free_ char *reason = NULL;

	*d = (Definition) { .parent = (char *) PARENT, .ends_in_newline = text[strlen(text) - 1] == '\n' };
	strcpy(d->uuid, UUID);
	if (mdevctl_parse(text, d, &reason) != 0)
		fail_msg("refused: %s\n%s", reason, text);
}

/* text with every from replaced by to: the expected file, computed from the input. */
static char *replaced(const char *text, const char *from, const char *to)
{
	char *out = calloc(1, strlen(text) * 2 + strlen(to) * 8 + 1);
	const char *p = text, *q;

	assert_non_null(out);
	while ((q = strstr(p, from))) {
		strncat(out, p, q - p);
		strcat(out, to);
		p = q + strlen(from);
	}
	strcat(out, p);
	return out;
}

static void assert_formats_as(const Definition *d, const char *expected)
{
	_cleanup_free_ char *text = NULL;

	assert_int_equal(mdevctl_format(d, &text), 0);
	assert_string_equal(text, expected);
}

static void test_mdevctl_fixtures_read(void **state)
{
	_cleanup_free_ char *with_newline = NULL;
	Definition d;

	(void) state;
	parse_ok(load_json_1_in, &d);
	assert_string_equal(d.type, "i915-GVTg_V5_8");
	assert_true(d.autostart);
	assert_int_equal(d.n_attrs, 0);
	/* Unchanged, it keeps having no "attrs" (mdevctl's own rewrite would add "attrs": []). */
	assert_formats_as(&d, "{\n  \"mdev_type\": \"i915-GVTg_V5_8\",\n  \"start\": \"auto\"\n}\n");
	definition_done(&d);

	parse_ok(load_json_2_in, &d);
	assert_false(d.autostart);
	assert_int_equal(d.n_attrs, 5);
	assert_string_equal(d.attrs[0].name, "example-attribute");
	assert_string_equal(d.attrs[3].name, "example-attribute-2");
	assert_string_equal(d.attrs[4].value, "zzz");
	/* Reindented exactly as mdevctl's writer did, the input's final newline kept. */
	with_newline = replaced(load_json_2_out, "\n}", "\n}\n");
	assert_formats_as(&d, with_newline);
	definition_done(&d);

	/* What mdevctl wrote comes back byte for byte, without a final newline as it came. */
	parse_ok(load_json_2_out, &d);
	assert_formats_as(&d, load_json_2_out);
	definition_done(&d);
	parse_ok(modify_defined, &d);
	assert_formats_as(&d, modify_defined);
	definition_done(&d);
}

static void test_mdevctl_modify_fixtures(void **state)
{
	_cleanup_free_ char *type_nl = replaced(modify_type_expected, "\n}", "\n}\n");
	_cleanup_free_ char *add_nl = replaced(modify_addattr_expected, "\n}", "\n}\n");
	_cleanup_free_ char *del_nl = replaced(modify_delattr_expected, "\n}", "\n}\n");
	Attr *orig, added[7];
	char *type;
	Definition d;

	(void) state;
	/* gvtctl modify --type changed-mdev-type --manual */
	parse_ok(modify_defined, &d);
	type = d.type;
	d.type = (char *) "changed-mdev-type";
	d.autostart = false;
	assert_formats_as(&d, type_nl);
	d.type = type;
	definition_done(&d);

	/* --addattr added-attr=added-attr-value --index 3 */
	parse_ok(modify_defined, &d);
	orig = d.attrs;
	for (size_t i = 0, j = 0; i < 7; i++)
		added[i] = i == 3 ? (Attr) { .name = (char *) "added-attr", .value = (char *) "added-attr-value" } :
			orig[j++];
	d.attrs = added;
	d.n_attrs = 7;
	d.autostart = false;
	assert_formats_as(&d, add_nl);

	/* --delattr --index 2 */
	for (size_t i = 0, j = 0; j < 6; j++)
		if (j != 2)
			added[i++] = orig[j];
	d.n_attrs = 5;
	assert_formats_as(&d, del_nl);
	d.attrs = orig;
	d.n_attrs = 6;
	definition_done(&d);
}

static void test_what_mdevctl_accepts(void **state)
{
	_cleanup_free_ char *expected = NULL;
	Definition d;

	(void) state;
	/* The two files: set aside before, as mdevctl reads them now. */
	parse_ok("{\"mdev_type\":\"gvt_base-GVTg_V5_8\",\"start\":\"Manual\",\"attrs\":[]}", &d);
	assert_false(d.autostart);
	definition_done(&d);
	parse_ok("{\"mdev_type\": \"gvt_base-GVTg_V5_8\", \"start\": \"auto\", \"attrs\": null}\n", &d);
	assert_true(d.autostart);
	assert_int_equal(d.n_attrs, 0);
	/* Unchanged, null stays null. */
	assert_formats_as(&d, "{\n  \"mdev_type\": \"gvt_base-GVTg_V5_8\",\n  \"start\": \"auto\",\n  \"attrs\": null\n}\n");
	definition_done(&d);
	/* Anything but the string "auto" is manual, as in mdevctl. */
	parse_ok("{\"mdev_type\": \"t\", \"start\": 0}", &d);
	assert_false(d.autostart);
	definition_done(&d);
	parse_ok("{\"mdev_type\": \"t\", \"start\": \"AUTO\"}", &d);
	assert_false(d.autostart);
	definition_done(&d);
	/* A repeated key: the last one, as serde_json reads it. */
	parse_ok("{\"mdev_type\": \"a\", \"start\": \"manual\", \"start\": \"auto\", \"mdev_type\": \"b\"}", &d);
	assert_true(d.autostart);
	assert_string_equal(d.type, "b");
	definition_done(&d);

	/* Keys gvtd does not know stay, where they were, through a change of the type and the start. */
	static const char other[] =
		"{\n  \"x-libvirt\": {\n    \"note\": \"kept\",\n    \"n\": [\n      1,\n      2\n    ]\n  },\n"
		"  \"mdev_type\": \"gvt_base-GVTg_V5_8\",\n  \"comment\": \"mine\",\n  \"start\": \"Manual\",\n"
		"  \"attrs\": []\n}\n";
	parse_ok(other, &d);
	free(d.type);
	d.type = strdup("gvt_base-GVTg_V5_4");
	assert_formats_as(&d, expected = replaced(other, "V5_8", "V5_4"));
	free(expected);
	/* start changed: "Manual" becomes "auto"; back to manual it is written "manual". */
	d.autostart = true;
	{
		_cleanup_free_ char *t = replaced(other, "V5_8", "V5_4");
		expected = replaced(t, "\"Manual\"", "\"auto\"");
	}
	assert_formats_as(&d, expected);
	definition_done(&d);
}

static void test_what_neither_can_use(void **state)
{
	static const struct {
		const char *text, *reason;
	} bad[] = {
		{ "{\"mdev_type\": \"t\"", "not valid JSON" },
		{ "[]", "not a JSON object" },
		{ "{\"start\": \"auto\"}", "\"mdev_type\" is missing" },
		{ "{\"mdev_type\": 3, \"start\": \"auto\"}", "\"mdev_type\" is of another kind" },
		{ "{\"mdev_type\": \"../x\", \"start\": \"auto\"}", "is no type name" },
		{ "{\"mdev_type\": \"t\"}", "\"start\" is missing" },
		{ "{\"mdev_type\": \"t\", \"start\": null}", "\"start\" is null" },
		{ "{\"mdev_type\": \"t\", \"start\": \"auto\", \"attrs\": {}}", "neither an array nor null" },
		{ "{\"mdev_type\": \"t\", \"start\": \"auto\", \"attrs\": [{\"a\": \"1\", \"b\": \"2\"}]}",
		  "entry 0 is not an object with exactly one member" },
		{ "{\"mdev_type\": \"t\", \"start\": \"auto\", \"attrs\": [\"a\"]}", "entry 0 is not an object" },
		{ "{\"mdev_type\": \"t\", \"start\": \"auto\", \"attrs\": [{\"a\": true}]}", "neither a string nor" },
		{ "{\"mdev_type\": \"t\", \"start\": \"auto\", \"attrs\": [{\"a\": \"1\"}, {\"remove\": \"1\"}]}",
		  "attribute 1 is named \"remove\"" },
	};

	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		_cleanup_free_ char *reason = NULL;
		Definition d = {};

		assert_int_equal(mdevctl_parse(bad[i].text, &d, &reason), -EBADMSG);
		if (!reason || !strstr(reason, bad[i].reason))
			fail_msg("%s: reason \"%s\" lacks \"%s\"", bad[i].text, reason, bad[i].reason);
		definition_done(&d);
	}
}

static const Feature features[] = {
	{ "definitions", definitions_init, definitions_exit, NULL },
};

/* Through the core, on a scratch tree: listed, never changed, named by the operations. */
static void write_def(Manager *m, const char *uuid, const char *text)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/" DEF_DIR "/%s", m->config.root, uuid);
	assert_int_equal(store_write(path, text, strlen(text)), 0);
}

static char *read_def(Manager *m, const char *uuid)
{
	char path[1024], *text = NULL;

	snprintf(path, sizeof(path), "%s/" DEF_DIR "/%s", m->config.root, uuid);
	assert_int_equal(store_read(path, &text, NULL), 0);
	return text;
}

static int count_entries(Manager *m)
{
	char path[1024];
	_cleanup_closedir_ DIR *d = NULL;
	int n = 0;

	snprintf(path, sizeof(path), "%s/" DEF_DIR, m->config.root);
	d = opendir(path);
	assert_non_null(d);
	while (readdir(d))
		n++;
	return n - 2;
}

static void test_core_keeps_files(void **state)
{
	static const char good[] = "{\"mdev_type\":\"gvt_base-GVTg_V5_8\",\"start\":\"Manual\",\"attrs\":[],"
				   "\"x-other\":1.5}";
	static const char broken[] = "{\"mdev_type\": \"gvt_base-GVTg_V5_8\", \"attrs\": []}\n";
	_cleanup_free_ char *after = NULL, *after_modify = NULL;
	Manager *m = fake_manager_new();
	const Unreadable *u;
	GvtError e = {};
	size_t n;

	(void) state;
	write_def(m, UUID, good);
	write_def(m, UUID2, broken);
	/* The definitions feature alone, as main.c starts it: load, then what inotify says. */
	assert_int_equal(sd_event_new(&m->event), 0);
	assert_int_equal(manager_start(m, features, ELEMENTSOF(features)), 0);
	assert_non_null(definitions_find(m, UUID));
	assert_false(definitions_find(m, UUID)->autostart);
	assert_null(definitions_find(m, UUID2));
	u = definitions_unreadable(m, &n);
	assert_int_equal(n, 1);
	assert_string_equal(u[0].uuid, UUID2);
	assert_string_equal(u[0].parent, PARENT);
	assert_non_null(strstr(u[0].reason, "\"start\" is missing"));
	/* Before: renamed to .UUID.corrupt-TIME. Now both files are there, as they were. */
	assert_int_equal(count_entries(m), 2);
	after = read_def(m, UUID2);
	assert_string_equal(after, broken);

	/* An operation on it says why, and changes nothing. */
	assert_true(definitions_start(m, UUID2, &e) < 0);
	assert_int_equal(e.kind, GVT_ERROR_NOT_FOUND);
	assert_non_null(strstr(e.message, "cannot be used"));
	assert_non_null(strstr(e.message, "\"start\" is missing"));
	e = (GvtError) {};
	assert_true(definitions_undefine(m, UUID2, &e) < 0);
	free(after);
	after = read_def(m, UUID2);
	assert_string_equal(after, broken);

	/* Fixed by hand, it is a definition again and leaves the list. */
	write_def(m, UUID2, "{\"mdev_type\": \"gvt_base-GVTg_V5_8\", \"start\": \"auto\", \"attrs\": []}\n");
	assert_int_equal(definitions_sync(m), 0);
	assert_non_null(definitions_find(m, UUID2));
	definitions_unreadable(m, &n);
	assert_int_equal(n, 0);

	/* A modify of the autostart touches "start" only; the key gvtd does not know stays. */
	assert_int_equal(definitions_modify(m, UUID, &(DefinitionChange) { .autostart = 1 }, &e), 0);
	after_modify = read_def(m, UUID);
	assert_string_equal(after_modify, "{\n  \"mdev_type\": \"gvt_base-GVTg_V5_8\",\n  \"start\": \"auto\",\n"
			    "  \"attrs\": [],\n  \"x-other\": 1.5\n}");

	/* Another tool changes only a key gvtd does not know: the next rewrite starts from that, not from memory. */
	write_def(m, UUID, "{\"mdev_type\": \"gvt_base-GVTg_V5_8\", \"start\": \"auto\", \"x-other\": 2}\n");
	assert_int_equal(definitions_sync(m), 0);
	assert_int_equal(definitions_modify(m, UUID, &(DefinitionChange) { .autostart = 0 }, &e), 0);
	free(after_modify);
	after_modify = read_def(m, UUID);
	assert_string_equal(after_modify, "{\n  \"mdev_type\": \"gvt_base-GVTg_V5_8\",\n  \"start\": \"manual\",\n"
			    "  \"x-other\": 2\n}\n");
	/* And twice in a row, with no reread between: the second starts from the first's file. */
	assert_int_equal(definitions_modify(m, UUID, &(DefinitionChange) { .autostart = 1 }, &e), 0);
	free(after_modify);
	after_modify = read_def(m, UUID);
	assert_string_equal(after_modify, "{\n  \"mdev_type\": \"gvt_base-GVTg_V5_8\",\n  \"start\": \"auto\",\n"
			    "  \"x-other\": 2\n}\n");
	fake_root_free(TAKE_PTR(m->config.root));
	manager_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mdevctl_fixtures_read),
		cmocka_unit_test(test_mdevctl_modify_fixtures),
		cmocka_unit_test(test_what_mdevctl_accepts),
		cmocka_unit_test(test_what_neither_can_use),
		cmocka_unit_test(test_core_keeps_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
