// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <systemd/sd-bus.h>

#include "log.h"
#include "macro.h"
#include "dbus-polkit.h"

/* An authentication agent waits for a person. */
#define INTERACTIVE_TIMEOUT_USEC (5 * 60 * 1000000ULL)
#define CHECK_ALLOW_USER_INTERACTION 1u

typedef struct Polkit {
	PolkitBackend backend;    /* first: the core holds a pointer to it */
	sd_event *event;
	char *bus_address;
	sd_bus *bus;
} Polkit;

typedef struct Query {
	PolkitDone done;
	void *userdata;
} Query;

static int check(PolkitBackend *b, const PolkitSubject *s, const char *action_id, bool interactive,
		 PolkitDone done, void *userdata);
static void backend_free(PolkitBackend *b);

int bus_polkit_new(sd_event *event, const char *bus_address, PolkitBackend **ret)
{
	Polkit *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	if (bus_address && !(p->bus_address = strdup(bus_address))) {
		free(p);
		return -ENOMEM;
	}
	p->backend = (PolkitBackend) { .check = check, .free = backend_free };
	p->event = sd_event_ref(event);
	*ret = &p->backend;
	return 0;
}

static void backend_free(PolkitBackend *b)
{
	Polkit *p = (Polkit *) b;

	sd_bus_flush_close_unref(p->bus);
	sd_event_unref(p->event);
	free(p->bus_address);
	free(p);
}

static int connect_bus(Polkit *p)
{
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	int r;

	if (p->bus && sd_bus_is_open(p->bus) > 0)
		return 0;
	p->bus = sd_bus_flush_close_unref(p->bus);
	if (p->bus_address) {
		r = sd_bus_new(&bus);
		if (r >= 0)
			r = sd_bus_set_address(bus, p->bus_address);
		if (r >= 0)
			r = sd_bus_set_bus_client(bus, true);
		if (r >= 0)
			r = sd_bus_start(bus);
	} else
		r = sd_bus_open_system(&bus);
	if (r >= 0)
		r = sd_bus_attach_event(bus, p->event, SD_EVENT_PRIORITY_NORMAL);
	if (r < 0)
		return r;
	p->bus = TAKE_PTR(bus);
	return 0;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int bus_polkit_error_to_errno(const char *name, const char *message)
{
	/* Nobody there: not running and not activatable, or activation failed (Spawn.*, systemd1.*). */
	if (streq(name, SD_BUS_ERROR_SERVICE_UNKNOWN) || streq(name, SD_BUS_ERROR_NAME_HAS_NO_OWNER) ||
	    starts_with(name, "org.freedesktop.DBus.Error.Spawn.") || starts_with(name, "org.freedesktop.systemd1."))
		return -EHOSTUNREACH;
	/* polkitd runs but knows nothing of gvtd: the policy file is not installed. */
	if (starts_with(name, "org.freedesktop.PolicyKit1.") && message && strstr(message, "not registered"))
		return -EHOSTUNREACH;
	/* polkitd was asked and did not decide: no decision is no permission. */
	if (streq(name, SD_BUS_ERROR_NO_REPLY) || streq(name, SD_BUS_ERROR_TIMEOUT) ||
	    streq(name, "org.freedesktop.DBus.Error.TimedOut"))
		return -ETIMEDOUT;
	return -EIO;
}

static int on_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
	_cleanup_free_ Query *q = userdata;
	const sd_bus_error *error = sd_bus_message_get_error(reply);
	int authorized = 0, challenge = 0, r;

	if (error) {
		r = bus_polkit_error_to_errno(error->name, error->message);
		if (r == -EHOSTUNREACH)
			log_debug("polkit is not there for gvtd: %s: %s", error->name, strempty(error->message));
		else
			log_warning("polkit did not decide: %s: %s", error->name, strempty(error->message));
		q->done(r, false, q->userdata);
		return 0;
	}
	r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
	if (r >= 0)
		r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
	if (r < 0) {
		log_warning_errno(r, "polkit's answer is malformed: %m");
		q->done(r, false, q->userdata);
		return 0;
	}
	q->done(0, authorized, q->userdata);
	return 0;
}

static int check(PolkitBackend *b, const PolkitSubject *s, const char *action_id, bool interactive,
		 PolkitDone done, void *userdata)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
	_cleanup_free_ Query *q = NULL;
	Polkit *p = (Polkit *) b;
	int r;

	r = connect_bus(p);
	if (r < 0)
		return r == -ENOENT || r == -ECONNREFUSED ? -EHOSTUNREACH : r;
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->done = done;
	q->userdata = userdata;

	r = sd_bus_message_new_method_call(p->bus, &m, "org.freedesktop.PolicyKit1",
					   "/org/freedesktop/PolicyKit1/Authority",
					   "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization");
	if (r < 0)
		return r;
	if (s->bus_name)
		r = sd_bus_message_append(m, "(sa{sv})", "system-bus-name", 1, "name", "s", s->bus_name);
	else
		/*
		 * The start time read with the credentials: with 0, polkit reads
		 * the pid's own now, which may be another process's by then. (A
		 * pidfd would be better still: polkit 124 takes one, Debian 12 has 122.)
		 */
		r = sd_bus_message_append(m, "(sa{sv})", "unix-process", 3, "pid", "u", (uint32_t) s->pid,
					  "start-time", "t", s->start_time, "uid", "i", (int32_t) s->uid);
	if (r >= 0)
		r = sd_bus_message_append(m, "sa{ss}us", action_id, 0,
					  interactive ? CHECK_ALLOW_USER_INTERACTION : 0u, "");
	if (r < 0)
		return r;
	r = sd_bus_call_async(p->bus, NULL, m, on_reply, q, interactive ? INTERACTIVE_TIMEOUT_USEC : 0);
	if (r < 0)
		return r;
	TAKE_PTR(q);
	return 0;
}
