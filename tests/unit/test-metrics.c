// SPDX-License-Identifier: GPL-2.0-only
/* The exposition writer (metrics.c): the text format's lines and its escapes, byte for byte. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

#include "metrics.h"

static void test_format(void **state)
{
	MetricsWriter w;
	char *text = NULL;
	size_t len = 0;

	assert_int_equal(metrics_writer_open(&w), 0);
	metrics_family(&w, "gvtd_x_total", METRIC_COUNTER, "Things.");
	metrics_sample(&w, "gvtd_x_total", 18446744073709551615ull, NULL);
	metrics_sample(&w, "gvtd_x_total", 0, "a", "1", "b", "", NULL);
	metrics_family(&w, "gvtd_y_bytes", METRIC_GAUGE, "Sizes.");
	/* the format's three escapes, and nothing else touched (UTF-8, tabs, braces) */
	metrics_sample(&w, "gvtd_y_bytes", 536870912, "owner", "a\\b\"c\nd\te{}\xc3\xa9", NULL);
	metrics_sample(&w, "gvtd_y_bytes", 7, "owner", NULL, NULL);
	assert_int_equal(metrics_writer_finish(&w, &text, &len), 0);
	assert_string_equal(text,
			    "# HELP gvtd_x_total Things.\n"
			    "# TYPE gvtd_x_total counter\n"
			    "gvtd_x_total 18446744073709551615\n"
			    "gvtd_x_total{a=\"1\",b=\"\"} 0\n"
			    "# HELP gvtd_y_bytes Sizes.\n"
			    "# TYPE gvtd_y_bytes gauge\n"
			    "gvtd_y_bytes{owner=\"a\\\\b\\\"c\\nd\te{}\xc3\xa9\"} 536870912\n"
			    "gvtd_y_bytes{owner=\"\"} 7\n");
	assert_int_equal(len, strlen(text));
	free(text);
}

static void test_done_without_finish(void **state)
{
	MetricsWriter w;

	assert_int_equal(metrics_writer_open(&w), 0);
	metrics_family(&w, "gvtd_z", METRIC_GAUGE, "Z.");
	metrics_writer_done(&w);
	assert_null(w.f);
	assert_null(w.text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_done_without_finish),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
