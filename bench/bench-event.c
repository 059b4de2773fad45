// SPDX-License-Identifier: GPL-2.0-only
/*
 * Event latency: a vGPU created behind gvtd's back (a sysfs write), from the
 * moment the write returned to the moment the client sees the event:
 *   dbus  the Manager's VGPUAdded signal on the system bus
 *   sse   the vgpu-added event on GET /v1/events
 * Each sample in microseconds, one per line; the vGPU is removed between samples.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "bench.h"

#define TIMEOUT_MS 120000

typedef struct Watch {
	const char *uuid;
	bool seen;
} Watch;

static int on_signal(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	Watch *w = userdata;
	const char *path, *uuid;

	if (sd_bus_message_read(m, "os", &path, &uuid) >= 0 && w->uuid && streq(uuid, w->uuid))
		w->seen = true;
	return 0;
}

static int wait_signal(sd_bus *bus, Watch *w)
{
	uint64_t deadline = now_ns() + TIMEOUT_MS * 1000000ULL;
	int r;

	while (!w->seen) {
		if ((r = sd_bus_process(bus, NULL)) < 0)
			return r;
		if (r > 0)
			continue;
		if (now_ns() > deadline)
			return -ETIMEDOUT;
		if ((r = sd_bus_wait(bus, 100000)) < 0)
			return r;
	}
	return 0;
}

/* Waits until the client sees the event of uuid: a signal, or an SSE event followed by its data. */
static int wait_event(sd_bus *bus, Watch *w, Http *http, const char *sse_event)
{
	int r;

	if (bus)
		return wait_signal(bus, w);
	r = http_wait_for(http, sse_event, TIMEOUT_MS);
	return r < 0 ? r : http_wait_for(http, w->uuid, TIMEOUT_MS);
}

int main(int argc, char **argv)
{
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	Watch added = {}, removed = {};
	Http http = { .fd = -1 };
	char create[512], remove[256], uuid[37];
	bool dbus;
	unsigned n;
	int r;

	if (argc != 6 || (!streq(argv[1], "dbus") && !streq(argv[1], "sse"))) {
		fprintf(stderr, "usage: bench-event dbus|sse PARENT TYPE SAMPLES SOCKET\n");
		return 2;
	}
	dbus = streq(argv[1], "dbus");
	n = strtoul(argv[4], NULL, 10);
	snprintf(create, sizeof(create), "/sys/class/mdev_bus/%s/mdev_supported_types/%s/create", argv[2], argv[3]);

	if (dbus) {
		/* sd_bus_match_signal() returns 1 on success: no "r ?:" chain here. */
		r = sd_bus_open_system(&bus);
		if (r >= 0)
			r = sd_bus_match_signal(bus, NULL, "org.gvtd1", "/org/gvtd1", "org.gvtd1.Manager", "VGPUAdded",
					     on_signal, &added);
		if (r >= 0)
			r = sd_bus_match_signal(bus, NULL, "org.gvtd1", "/org/gvtd1", "org.gvtd1.Manager", "VGPURemoved",
					     on_signal, &removed);
	} else {
		r = http_connect(&http, argv[5]);
		r = r ?: http_send(&http, "GET", "/v1/events", NULL);
		r = r ?: http_wait_for(&http, "retry:", TIMEOUT_MS);
	}
	if (r < 0) {
		fprintf(stderr, "bench-event: subscribe: %s\n", strerror(-r));
		return 1;
	}

	for (unsigned i = 0; i < n; i++) {
		uint64_t start;

		bench_uuid(uuid, dbus ? 6 : 7, i);
		added = (Watch) { .uuid = uuid };
		removed = (Watch) { .uuid = uuid };
		if ((r = write_file(create, uuid)) < 0)
			break;
		start = now_ns();
		if ((r = wait_event(bus, &added, &http, "event: vgpu-added")) < 0)
			break;
		print_sample(start, now_ns());

		snprintf(remove, sizeof(remove), "/sys/bus/mdev/devices/%s/remove", uuid);
		if ((r = write_file(remove, "1")) < 0)
			break;
		if ((r = wait_event(bus, &removed, &http, "event: vgpu-removed")) < 0)
			break;
	}
	http_close(&http);
	if (r < 0) {
		fprintf(stderr, "bench-event: %s: %s\n", argv[1], strerror(-r));
		return 1;
	}
	return 0;
}
