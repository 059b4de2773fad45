// SPDX-License-Identifier: GPL-2.0-only
/*
 * Connections and their deadlines (rest-connections.h). The queue holds the
 * connections still sending a request, oldest first: all have the same
 * timeout, so its head has the earliest deadline and one timer serves all.
 * Closing is shutdown(2) on the socket: MHD sees the end in its epoll set,
 * closes the connection in its next run and frees what it held as it does
 * for any client that goes away. A leaf: it calls nothing of the adapter.
 */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "log.h"
#include "rest-connections.h"

#define TRIM_AFTER_PEAK 16

struct RestConnections {
	sd_event_source *timer;
	unsigned max;
	uint64_t timeout_usec;
	unsigned n;
	unsigned peak;            /* most open at once since the last trim */
	RestConnection *head, *tail;
	RestConnection *all;
};

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void dequeue(RestConnection *c)
{
	RestConnections *set = c->set;

	if (!c->waiting)
		return;
	if (c->prev)
		c->prev->next = c->next;
	else
		set->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		set->tail = c->prev;
	c->prev = c->next = NULL;
	c->waiting = false;
}

static void rearm(RestConnections *set)
{
	int r;

	if (!set->head) {
		(void) sd_event_source_set_enabled(set->timer, SD_EVENT_OFF);
		return;
	}
	r = sd_event_source_set_time(set->timer, set->head->since + set->timeout_usec);
	if (r >= 0)
		r = sd_event_source_set_enabled(set->timer, SD_EVENT_ONESHOT);
	if (r < 0)
		log_warning_errno(r, "Failed to arm the REST request deadline, ignoring: %m");
}

static void enqueue(RestConnection *c)
{
	RestConnections *set = c->set;

	dequeue(c);
	c->since = now_usec();
	c->waiting = true;
	c->prev = set->tail;
	if (set->tail)
		set->tail->next = c;
	else
		set->head = c;
	set->tail = c;
	if (set->head == c)
		rearm(set);
}

/* Close c from our side; MHD notices and cleans up. It no longer counts. */
static void drop(RestConnection *c, const char *why)
{
	log_debug("Closing a REST connection: %s.", why);
	dequeue(c);
	if (c->counted) {
		c->counted = false;
		c->set->n--;
	}
	(void) shutdown(c->fd, SHUT_RDWR);
}

static int on_deadline(sd_event_source *s, uint64_t usec, void *userdata)
{
	RestConnections *set = userdata;
	uint64_t now = now_usec();

	while (set->head && set->head->since + set->timeout_usec <= now)
		drop(set->head, "no whole request within RequestTimeoutSec=");
	rearm(set);
	return 0;
}

int rest_connections_new(sd_event *event, unsigned max, unsigned timeout_sec, RestConnections **ret)
{
	RestConnections *set = calloc(1, sizeof(*set));
	int r;

	if (!set)
		return -ENOMEM;
	set->max = max;
	set->timeout_usec = (uint64_t) timeout_sec * 1000000;
	/* 1 ms accuracy: a deadline is seconds, but sd-event's default would add 250 ms. */
	r = sd_event_add_time(event, &set->timer, CLOCK_MONOTONIC, 0, 1000, on_deadline, set);
	if (r >= 0)
		r = sd_event_source_set_enabled(set->timer, SD_EVENT_OFF);
	if (r < 0) {
		sd_event_source_disable_unref(set->timer);
		free(set);
		return r;
	}
	*ret = set;
	return 0;
}

RestConnections *rest_connections_free(RestConnections *set)
{
	if (!set)
		return NULL;
	/* Connections MHD has not closed yet drop their records later: they must not reach back. */
	for (RestConnection *c = set->all; c; c = c->all_next)
		c->set = NULL;
	sd_event_source_disable_unref(set->timer);
	free(set);
	return NULL;
}

unsigned rest_connections_count(const RestConnections *set)
{
	return set->n;
}

RestConnection *rest_connections_first(RestConnections *set)
{
	return set->all;
}

RestConnection *rest_connection_new(RestConnections *set, int fd)
{
	RestConnection *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	*c = (RestConnection) { .set = set, .fd = fd, .counted = true, .all_next = set->all };
	if (set->all)
		set->all->all_prev = c;
	set->all = c;
	set->n++;
	if (set->n > set->peak)
		set->peak = set->n;
	/* Full: the oldest connection still sending a request makes room (never the new one). */
	if (set->n > set->max && set->head)
		drop(set->head, "MaxConnections= reached, the oldest unfinished request goes");
	enqueue(c);
	return c;
}

void rest_connection_free(RestConnection *c)
{
	RestConnections *set;

	if (!c)
		return;
	set = c->set;
	if (set) {
		dequeue(c);
		if (c->counted)
			set->n--;
		if (c->all_prev)
			c->all_prev->all_next = c->all_next;
		else
			set->all = c->all_next;
		if (c->all_next)
			c->all_next->all_prev = c->all_prev;
		rearm(set);
	}
	free(c);
	/*
	 * The last of many went: what their pools held goes back to the kernel
	 * (glibc keeps freed memory in the middle of the heap). Not after every
	 * lone client: a trim walks the heap.
	 */
	if (set && !set->all && set->peak >= TRIM_AFTER_PEAK) {
		set->peak = 0;
		(void) malloc_trim(0);
	}
}

void rest_connection_received(RestConnection *c)
{
	if (c && c->set && c->waiting) {
		bool head = c->set->head == c;

		dequeue(c);
		if (head)
			rearm(c->set);
	}
}

void rest_connection_idle(RestConnection *c)
{
	if (c && c->set && c->counted)
		enqueue(c);
}
