/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The REST adapter's leaf: a request as handlers see it (path, caller, body,
 * query, headers) and the reply they fill in. Every other REST file builds on
 * it; it calls none of them.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "auth.h"
#include "errors.h"
#include "rest-auth.h"

typedef struct Manager Manager;

#define REST_BODY_MAX (64 * 1024)


typedef enum RestMethod {
	REST_GET = 1 << 0,
	REST_POST = 1 << 1,
	REST_PUT = 1 << 2,
	REST_PATCH = 1 << 3,
	REST_DELETE = 1 << 4,
} RestMethod;

RestMethod rest_method_from_string(const char *s);
/* "GET" for REST_GET; NULL for anything else. */
const char *rest_method_to_string(RestMethod method);
/* "GET, POST" for a mask, into buf. */
const char *rest_methods_to_string(unsigned mask, char *buf, size_t size);

typedef struct RestReply {
	unsigned status;
	json_t *body;             /* NULL: none */
	char *text;               /* or the body serialized already (owned) */
	size_t text_len;
	bool problem;             /* body is application/problem+json */
	const char *content_type; /* text's, if not JSON (static) */
	char location[128];
	unsigned allow;           /* 405: the methods that are allowed */
	bool authenticate;        /* 401: ask for a bearer token */
	unsigned retry_after;     /* seconds; 0: none */
} RestReply;

void rest_reply_done(RestReply *r);
/* Queues r on connection (a struct MHD_Connection); MHD_YES or MHD_NO. */
int rest_reply_queue(void *connection, RestReply *r);

/*
 * One serialized response kept while the core's state does not change
 * (Manager.generation): GET /v1/vgpus without filters is the one clients poll.
 */
typedef struct RestCache {
	char *text;
	size_t len;
	uint64_t generation;
	bool valid;
} RestCache;

void rest_cache_done(RestCache *c);
/* Replies 200 with a copy of the cached text, made by build() first if stale; 0 or -ENOMEM. */
int rest_reply_cached(RestReply *reply, RestCache *c, Manager *m, json_t *(*build)(Manager *m));

typedef struct RestRoute RestRoute;
typedef struct RestRequest RestRequest;
typedef struct RestMetrics RestMetrics;

/* What a handler returns: reply filled, or the request goes on. */
enum {
	REST_REPLIED = 0,
	REST_SUSPENDED = 1,       /* rest_request_resume() answers later */
	REST_STREAM = 2,          /* req->stream is the event stream client */
};

struct RestRequest {
	Manager *manager;
	sd_event_source *wake;    /* the server's: runs MHD after a resume (rest_wake) */
	RestCache *listing;       /* the server's cache of GET /v1/vgpus */
	RestMetrics *metrics;     /* the server's request counters (GET /metrics) */
	void *connection;         /* struct MHD_Connection */
	RestMethod method;
	char *path;
	const RestRoute *route;
	const char *param;        /* the {…} path segment alone (in param_buf); cut at 255 bytes, longer
	                           * than any valid uuid, name or owner */
	char param_buf[256];
	Caller caller;
	char *token_owner;        /* caller.owner for a token: a copy, the table may be reloaded meanwhile */
	RestPeer peer;     /* unix socket: the kernel's word on the caller */
	json_t *body;             /* parsed body of POST/PUT/PATCH; NULL if none */
	char *upload;             /* the body while it arrives */
	size_t upload_size;
	bool upload_too_large;
	bool suspended;
	bool handled;
	bool auth_done;           /* polkit answered: auth_result, auth_error */
	Action auth_action;
	int auth_result;
	GvtError auth_error;
	RestReply reply;
	void *stream;             /* REST_STREAM: the events client */
};

/* A query parameter, or NULL. */
const char *rest_request_query(RestRequest *req, const char *key);
/* A request header, or NULL. */
const char *rest_request_header(RestRequest *req, const char *key);
/* The first query parameter not in allowed (NULL-terminated), or NULL. */
const char *rest_request_unknown_query(RestRequest *req, const char *const *allowed);
/* Answers a REST_SUSPENDED request with what is in req->reply now. */
void rest_request_resume(RestRequest *req);
/* Runs a REST_SUSPENDED request's handler again (it finds what it waited for). */
void rest_request_redispatch(RestRequest *req);
/* Has the server run MHD again soon (after connections were resumed). */
void rest_wake(sd_event_source *wake);
