// SPDX-License-Identifier: GPL-2.0-only
/*
 * Listing cost: CALLS listings by one path on one connection, each printed in
 * microseconds, after WARMUP untimed ones.
 *   dbus-vgpus        Manager.ListVGPUs
 *   dbus-definitions  Manager.ListDefinitions
 *   rest-vgpus        GET /v1/vgpus
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "bench.h"

static int list_dbus(sd_bus *bus, const char *method)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	int r;

	r = sd_bus_call_method(bus, "org.gvtd1", "/org/gvtd1", "org.gvtd1.Manager", method, &error, &reply, "");
	if (r < 0)
		fprintf(stderr, "bench-list: %s: %s\n", method, error.message ?: strerror(-r));
	sd_bus_error_free(&error);
	sd_bus_message_unref(reply);
	return r;
}

int main(int argc, char **argv)
{
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	Http http = { .fd = -1 };
	const char *method = NULL;
	unsigned n, warmup;
	int r;

	if (argc != 5) {
		fprintf(stderr, "usage: bench-list dbus-vgpus|dbus-definitions|rest-vgpus CALLS WARMUP SOCKET\n");
		return 2;
	}
	n = strtoul(argv[2], NULL, 10);
	warmup = strtoul(argv[3], NULL, 10);
	if (streq(argv[1], "dbus-vgpus"))
		method = "ListVGPUs";
	else if (streq(argv[1], "dbus-definitions"))
		method = "ListDefinitions";
	else if (!streq(argv[1], "rest-vgpus")) {
		fprintf(stderr, "bench-list: unknown listing '%s'\n", argv[1]);
		return 2;
	}
	r = method ? sd_bus_open_system(&bus) : http_connect(&http, argv[4]);
	if (r < 0) {
		fprintf(stderr, "bench-list: connect: %s\n", strerror(-r));
		return 1;
	}

	for (unsigned i = 0; i < warmup + n; i++) {
		uint64_t start = now_ns();
		_cleanup_free_ char *body = NULL;

		r = method ? list_dbus(bus, method) : http_request(&http, "GET", "/v1/vgpus", NULL, &body);
		if (r < 0 || (!method && r != 200)) {
			fprintf(stderr, "bench-list: %s: %d\n", argv[1], r);
			http_close(&http);
			return 1;
		}
		if (i >= warmup)
			print_sample(start, now_ns());
	}
	http_close(&http);
	return 0;
}
