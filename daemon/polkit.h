/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the core asks polkit, as an outbound interface: auth.c asks a
 * PolkitBackend, the D-Bus side implements it (dbus-polkit.c: the
 * CheckAuthorization call over sd-bus), main.c hands one to the Manager.
 * The core so never includes sd-bus.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Who asks: a D-Bus client by its unique name, else a local process (REST over a unix socket). */
typedef struct PolkitSubject {
	const char *bus_name;
	pid_t pid;
	uint64_t start_time;      /* of pid, read with its credentials: never 0 (polkit would read the pid's now) */
	uid_t uid;
} PolkitSubject;

/*
 * r < 0: no decision. -EHOSTUNREACH: polkit is absent (not running, not activatable) or does not know
 * the action (policy not installed): Polkit=auto then decides by the group rule. Any other error
 * (-ETIMEDOUT: no reply; -EIO) is a refusal. Else authorized says the answer. Called exactly once, from the loop.
 */
typedef void (*PolkitDone)(int r, bool authorized, void *userdata);

typedef struct PolkitBackend PolkitBackend;
struct PolkitBackend {
	/* < 0: could not ask (done not called); else done runs exactly once later. */
	int (*check)(PolkitBackend *b, const PolkitSubject *s, const char *action_id, bool interactive,
		     PolkitDone done, void *userdata);
	void (*free)(PolkitBackend *b);
};

static inline int polkit_check(PolkitBackend *b, const PolkitSubject *s, const char *action_id, bool interactive,
			       PolkitDone done, void *userdata)
{
	return b->check(b, s, action_id, interactive, done, userdata);
}

static inline PolkitBackend *polkit_free(PolkitBackend *b)
{
	if (b)
		b->free(b);
	return (PolkitBackend *) 0;
}
