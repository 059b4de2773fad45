// SPDX-License-Identifier: GPL-2.0-only
/* The exposition writer (metrics.c): the text format's lines and its escapes, byte for byte. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "gvt_genl.h"
#include "metrics.h"
#include "openers.h"

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

/* A GET_VGPU message as gvt_mdev sends it: the counters come out by VgpuCounter, the GPU's name with them. */
static void test_kernel_counters_parsed(void **state)
{
	static const uint8_t uuid[GVT_GENL_UUID_LEN] = { 0x0b, 0x9e, 0x3a, 0x49, 0x83, 0xa8, 0x4c, 0x4e,
							 0x9b, 0x1b, 0x2f, 0x3c, 0x7a, 0xd2, 0xa5, 0xe1 };
	struct nl_msg *msg = nlmsg_alloc();
	OpenerMessage om;

	assert_non_null(msg);
	assert_non_null(genlmsg_put(msg, 0, 0, 42, 0, 0, GVT_GENL_CMD_GET_VGPU, GVT_GENL_VERSION));
	assert_int_equal(nla_put_string(msg, GVT_GENL_A_GPU_NAME, "gvt_base.0"), 0);
	assert_int_equal(nla_put(msg, GVT_GENL_A_VGPU_UUID, sizeof(uuid), uuid), 0);
	assert_int_equal(nla_put_u32(msg, GVT_GENL_A_VGPU_OPENER_PID, 0), 0);
	assert_int_equal(nla_put_u64(msg, GVT_GENL_A_VGPU_OPEN_COUNT, 3), 0);
	assert_int_equal(nla_put_u64(msg, GVT_GENL_A_VGPU_CFG_READS, 70), 0);
	assert_int_equal(nla_put_u64(msg, GVT_GENL_A_VGPU_CFG_WRITES, 12), 0);
	assert_int_equal(nla_put_u64(msg, GVT_GENL_A_VGPU_MMIO_READS, 1ull << 40), 0);
	assert_int_equal(nla_put_u64(msg, GVT_GENL_A_VGPU_MMIO_WRITES, 5), 0);
	assert_int_equal(nla_put_u64(msg, GVT_GENL_A_VGPU_RESETS, 2), 0);
	assert_int_equal(openers_parse(nlmsg_hdr(msg), nlmsg_hdr(msg)->nlmsg_len, &om), 0);
	assert_int_equal(om.cmd, GVT_GENL_CMD_GET_VGPU);
	assert_string_equal(om.uuid, "0b9e3a49-83a8-4c4e-9b1b-2f3c7ad2a5e1");
	assert_string_equal(om.gpu, "gvt_base.0");
	assert_true(om.has_counters);
	assert_int_equal(om.counters[VGPU_COUNTER_OPENS], 3);
	assert_int_equal(om.counters[VGPU_COUNTER_CFG_READS], 70);
	assert_int_equal(om.counters[VGPU_COUNTER_CFG_WRITES], 12);
	assert_int_equal(om.counters[VGPU_COUNTER_MMIO_READS], 1ull << 40);
	assert_int_equal(om.counters[VGPU_COUNTER_MMIO_WRITES], 5);
	assert_int_equal(om.counters[VGPU_COUNTER_RESETS], 2);
	nlmsg_free(msg);

	/* an event names no counters */
	msg = nlmsg_alloc();
	assert_non_null(genlmsg_put(msg, 0, 0, 42, 0, 0, GVT_GENL_CMD_VGPU_OPENED, GVT_GENL_VERSION));
	assert_int_equal(nla_put(msg, GVT_GENL_A_VGPU_UUID, sizeof(uuid), uuid), 0);
	assert_int_equal(nla_put_u32(msg, GVT_GENL_A_VGPU_OPENER_PID, 77), 0);
	assert_int_equal(openers_parse(nlmsg_hdr(msg), nlmsg_hdr(msg)->nlmsg_len, &om), 0);
	assert_false(om.has_counters);
	assert_int_equal(om.pid, 77);
	assert_string_equal(om.gpu, "");
	nlmsg_free(msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_done_without_finish),
		cmocka_unit_test(test_kernel_counters_parsed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
