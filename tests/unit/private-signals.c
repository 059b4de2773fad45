// SPDX-License-Identifier: GPL-2.0-only
/*
 * A direct connection to gvtd's private socket that prints the member of
 * every signal it gets, one per line, for SECONDS seconds: after calling
 * Manager.Subscribe() if asked to, else as gvtctl connects (no Subscribe).
 * "ready" on stdout once connected (and subscribed).
 * usage: private-signals SOCKET subscribe|quiet SECONDS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <systemd/sd-bus.h>

#include "gvt-dbus.h"
#include "macro.h"

static int on_message(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	if (sd_bus_message_is_signal(m, NULL, NULL) > 0 &&
	    !streq(strempty(sd_bus_message_get_interface(m)), "org.freedesktop.DBus.Local"))
		printf("%s\n", strempty(sd_bus_message_get_member(m)));
	fflush(stdout);
	return 0;
}

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

int main(int argc, char *argv[])
{
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	_cleanup_free_ char *address = NULL;
	uint64_t end, now;
	int r;

	if (argc != 4 || asprintf(&address, "unix:path=%s", argv[1]) < 0)
		return 2;
	r = sd_bus_new(&bus);
	if (r >= 0)
		r = sd_bus_set_address(bus, address);
	if (r >= 0)
		r = sd_bus_add_filter(bus, NULL, on_message, NULL);
	if (r >= 0)
		r = sd_bus_start(bus);
	if (r >= 0 && streq(argv[2], "subscribe"))
		r = sd_bus_call_method(bus, GVT_BUS_NAME, GVT_MANAGER_PATH, GVT_MANAGER_IFACE, "Subscribe", NULL, NULL,
				       NULL);
	if (r < 0) {
		fprintf(stderr, "private-signals: %s\n", strerror(-r));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	now = now_usec();
	end = now + strtoull(argv[3], NULL, 10) * 1000000ULL;
	while ((now = now_usec()) < end) {
		r = sd_bus_process(bus, NULL);
		if (r < 0)
			return 1;
		if (r == 0)
			(void) sd_bus_wait(bus, end - now);
	}
	return 0;
}
