/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A polkit client: org.freedesktop.PolicyKit1.Authority.CheckAuthorization
 * over its own sd-bus connection to the system bus (no libpolkit), answered
 * asynchronously on gvtd's loop so a caller waiting for an authentication
 * agent never blocks anyone else.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

typedef struct Polkit Polkit;

/* Who asks: a D-Bus client by its unique name, else a local process (REST over a unix socket). */
typedef struct PolkitSubject {
	const char *bus_name;
	pid_t pid;
	uid_t uid;
} PolkitSubject;

/*
 * r < 0: polkit could not be asked (-EHOSTUNREACH: nobody answered for polkit: not running, not activatable);
 * else authorized says the answer. Called exactly once, from the loop.
 */
typedef void (*PolkitDone)(int r, bool authorized, void *userdata);

/* bus_address NULL: the system bus. Connects on first use. */
int polkit_new(sd_event *event, const char *bus_address, Polkit **ret);
Polkit *polkit_free(Polkit *p);

int polkit_check(Polkit *p, const PolkitSubject *s, const char *action_id, bool interactive, PolkitDone done,
		 void *userdata);
