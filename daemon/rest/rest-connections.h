/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The REST listener's connections (rest-connections.c): how many there are,
 * and a deadline for each to send a whole request (RequestTimeoutSec=, from
 * connecting or from its previous answer). At MaxConnections the oldest
 * connection still sending a request is closed for the new one, so clients
 * that trickle their headers (a slowloris) cannot starve the others.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

typedef struct RestConnections RestConnections;
typedef struct RestConnection RestConnection;

struct RestConnection {
	RestConnections *set;
	int fd;
	uint64_t since;          /* CLOCK_MONOTONIC µs: the request began (or the last answer went) */
	bool waiting;            /* in the deadline queue: its request is not all in */
	bool counted;            /* in set->n (not once it was closed by us) */
	void *request;           /* the adapter's request on it, or NULL */
	RestConnection *prev, *next;          /* the deadline queue, oldest first */
	RestConnection *all_prev, *all_next;  /* every connection */
};

int rest_connections_new(sd_event *event, unsigned max, unsigned timeout_sec, RestConnections **ret);
RestConnections *rest_connections_free(RestConnections *set);
/* How many connections are open (those closed by a deadline or eviction no longer count). */
unsigned rest_connections_count(const RestConnections *set);
/* The first of every connection, for walking with ->all_next. */
RestConnection *rest_connections_first(RestConnections *set);

/* A new connection on fd: its deadline starts; at the limit the oldest sender is closed. NULL: no memory. */
RestConnection *rest_connection_new(RestConnections *set, int fd);
void rest_connection_free(RestConnection *c);
/* Its request is all in: no deadline while it is handled or answered. */
void rest_connection_received(RestConnection *c);
/* Its answer went: the next request has until the deadline again. */
void rest_connection_idle(RestConnection *c);
