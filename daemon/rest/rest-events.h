/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Server-Sent Events stream and its history (rest-events.c).
 */
#pragma once

#include <jansson.h>
#include <stdint.h>
#include <sys/types.h>

#include "rest-request.h"

typedef struct RestEvents RestEvents;

#define REST_EVENTS_HISTORY 256
#define REST_EVENTS_HEARTBEAT_USEC (15 * 1000000ULL)

typedef struct RestEventsHistory {
	uint64_t first_id;        /* the oldest id kept (== next_id when empty) */
	uint64_t next_id;         /* the id the next event gets */
	char *frames[REST_EVENTS_HISTORY];  /* id i at [i % N] */
} RestEventsHistory;

/* Ids go on from start_id; gvtd starts from the wall clock in µs, so ids of an earlier run are older. */
void rest_events_history_init(RestEventsHistory *h, uint64_t start_id);
void rest_events_history_done(RestEventsHistory *h);
/* Adds "id: N\nevent: NAME\ndata: JSON\n\n"; the oldest goes when full. */
int rest_events_history_append(RestEventsHistory *h, const char *name, json_t *data);
/*
 * Copies the frames from id *pos, byte *off on, into buf; advances both.
 * Returns bytes, 0 if nothing new, -ESTALE if *pos fell out of the history.
 */
ssize_t rest_events_history_read(const RestEventsHistory *h, uint64_t *pos, size_t *off, char *buf, size_t size);
/*
 * Where a client that last saw last_event_id (NULL: a new client) starts;
 * -ESTALE (and *ret = the next id) if it cannot resume without a gap.
 */
int rest_events_history_resume(const RestEventsHistory *h, const char *last_event_id, uint64_t *ret);

int rest_events_new(Manager *m, sd_event_source *wake, RestEvents **ret);
RestEvents *rest_events_free(RestEvents *ev);
struct MHD_Response;
/* GET /v1/events: the stream's response for a new client (req->stream); NULL on OOM. */
struct MHD_Response *rest_events_response(RestEvents *ev, RestRequest *req);
/* Resumes every client so the server can stop. */
void rest_events_shutdown(RestEvents *ev);
