// SPDX-License-Identifier: GPL-2.0-only
/*
 * One vGPU create+remove cycle, repeated, by one of three paths:
 *   sysfs  write the UUID to the type's create, 1 to the device's remove (the floor)
 *   dbus   Manager.CreateVGPU + RemoveVGPU on one persistent system bus connection
 *   rest   POST /v1/vgpus + DELETE /v1/vgpus/UUID on one keep-alive connection
 * Prints each timed cycle in microseconds, one per line, after WARMUP untimed ones.
 *
 * bench-cycle fill TYPE COUNT creates COUNT vGPUs of TYPE through sysfs over
 * all parents in turn and prints the total time: the floor of gvtd's autostart.
 */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "bench.h"

#define SYSFS_PARENTS "/sys/class/mdev_bus"
#define SYSFS_DEVICES "/sys/bus/mdev/devices"

typedef struct Cycle {
	const char *parent, *type;
	sd_bus *bus;
	Http http;
} Cycle;

static int cycle_sysfs(Cycle *c, const char *uuid)
{
	char path[512];
	int r;

	snprintf(path, sizeof(path), SYSFS_PARENTS "/%s/mdev_supported_types/%s/create", c->parent, c->type);
	if ((r = write_file(path, uuid)) < 0)
		return r;
	snprintf(path, sizeof(path), SYSFS_DEVICES "/%s/remove", uuid);
	return write_file(path, "1");
}

static int cycle_dbus(Cycle *c, const char *uuid)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	int r;

	r = sd_bus_call_method(c->bus, "org.gvtd1", "/org/gvtd1", "org.gvtd1.Manager", "CreateVGPU", &error,
			       &reply, "sssb", c->parent, c->type, uuid, 0);
	if (r >= 0)
		r = sd_bus_call_method(c->bus, "org.gvtd1", "/org/gvtd1", "org.gvtd1.Manager", "RemoveVGPU",
				       &error, NULL, "sb", uuid, 0);
	if (r < 0)
		fprintf(stderr, "bench-cycle: %s\n", error.message ?: strerror(-r));
	sd_bus_error_free(&error);
	return r;
}

static int cycle_rest(Cycle *c, const char *uuid)
{
	char body[512], path[128];
	int r;

	snprintf(body, sizeof(body), "{\"parent\":\"%s\",\"type\":\"%s\",\"uuid\":\"%s\"}", c->parent, c->type, uuid);
	r = http_request(&c->http, "POST", "/v1/vgpus", body, NULL);
	if (r != 201)
		return r < 0 ? r : -EPROTO;
	snprintf(path, sizeof(path), "/v1/vgpus/%s", uuid);
	r = http_request(&c->http, "DELETE", path, NULL, NULL);
	return r == 204 ? 0 : r < 0 ? r : -EPROTO;
}

static int fill(const char *type, unsigned count)
{
	glob_t g;
	char pattern[512], uuid[37];
	unsigned made = 0;
	uint64_t start;

	snprintf(pattern, sizeof(pattern), SYSFS_PARENTS "/*/mdev_supported_types/%s/create", type);
	if (glob(pattern, 0, NULL, &g) != 0) {
		fprintf(stderr, "bench-cycle: no parent offers %s\n", type);
		return 1;
	}
	start = now_ns();
	/* Round robin over the parents: a full one refuses and is skipped. */
	for (size_t i = 0, misses = 0; made < count && misses < g.gl_pathc; i = (i + 1) % g.gl_pathc) {
		bench_uuid(uuid, 5, made);
		if (write_file(g.gl_pathv[i], uuid) < 0) {
			misses++;
			continue;
		}
		misses = 0;
		made++;
	}
	print_sample(start, now_ns());
	globfree(&g);
	if (made < count) {
		fprintf(stderr, "bench-cycle: only %u of %u vGPUs fit\n", made, count);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	Cycle c = { .http.fd = -1 };
	int (*cycle)(Cycle *, const char *);
	unsigned n, warmup, series;
	char uuid[37];
	int r;

	if (argc == 4 && streq(argv[1], "fill"))
		return fill(argv[2], strtoul(argv[3], NULL, 10));
	if (argc != 7) {
		fprintf(stderr, "usage: bench-cycle sysfs|dbus|rest PARENT TYPE CYCLES WARMUP SOCKET\n"
				"       bench-cycle fill TYPE COUNT\n");
		return 2;
	}
	c.parent = argv[2];
	c.type = argv[3];
	n = strtoul(argv[4], NULL, 10);
	warmup = strtoul(argv[5], NULL, 10);
	if (streq(argv[1], "sysfs")) {
		cycle = cycle_sysfs;
		series = 1;
	} else if (streq(argv[1], "dbus")) {
		if ((r = sd_bus_open_system(&bus)) < 0) {
			fprintf(stderr, "bench-cycle: system bus: %s\n", strerror(-r));
			return 1;
		}
		c.bus = bus;
		cycle = cycle_dbus;
		series = 2;
	} else if (streq(argv[1], "rest")) {
		if ((r = http_connect(&c.http, argv[6])) < 0) {
			fprintf(stderr, "bench-cycle: %s: %s\n", argv[6], strerror(-r));
			return 1;
		}
		cycle = cycle_rest;
		series = 3;
	} else {
		fprintf(stderr, "bench-cycle: unknown path '%s'\n", argv[1]);
		return 2;
	}

	for (unsigned i = 0; i < warmup + n; i++) {
		uint64_t start = now_ns();

		bench_uuid(uuid, series, i);
		if ((r = cycle(&c, uuid)) < 0) {
			fprintf(stderr, "bench-cycle: %s cycle %u: %s\n", argv[1], i, strerror(-r));
			http_close(&c.http);
			return 1;
		}
		if (i >= warmup)
			print_sample(start, now_ns());
	}
	http_close(&c.http);
	return 0;
}
