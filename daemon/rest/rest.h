/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The REST adapter (docs/rest-api.md, api/openapi.yaml): libmicrohttpd on
 * gvtd's sd-event loop. Like the D-Bus adapter it translates; validation,
 * authorization and every decision stay in the core.
 *
 *   rest.c          listeners, MHD on the loop, request bodies, replies (this header)
 *   rest-auth.c     who the caller is: SO_PEERCRED, bearer tokens
 *   rest-routes.c   the resource table and its handlers
 *   rest-json.c     core objects as JSON
 *   rest-problem.c  the one map from errors to RFC 9457 problems
 *   rest-events.c   the Server-Sent Events stream and its history
 * each with a header of its own.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "auth.h"
#include "errors.h"
#include "rest-auth.h"

typedef struct Manager Manager;
typedef struct RestServer RestServer;
typedef struct RestEvents RestEvents;

#define REST_BODY_MAX (64 * 1024)


/* ---- requests and replies (rest.c) ---- */

typedef enum RestMethod {
	REST_GET = 1 << 0,
	REST_POST = 1 << 1,
	REST_PUT = 1 << 2,
	REST_PATCH = 1 << 3,
	REST_DELETE = 1 << 4,
} RestMethod;

RestMethod rest_method_from_string(const char *s);
/* "GET, POST" for a mask, into buf. */
const char *rest_methods_to_string(unsigned mask, char *buf, size_t size);

typedef struct RestReply {
	unsigned status;
	json_t *body;             /* NULL: none */
	char *text;               /* or the body serialized already (owned) */
	size_t text_len;
	bool problem;             /* body is application/problem+json */
	char location[128];
	unsigned allow;           /* 405: the methods that are allowed */
	bool authenticate;        /* 401: ask for a bearer token */
	unsigned retry_after;     /* seconds; 0: none */
} RestReply;

void rest_reply_done(RestReply *r);

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

/* What a handler returns: reply filled, or the request goes on. */
enum {
	REST_REPLIED = 0,
	REST_SUSPENDED = 1,       /* rest_request_resume() answers later */
	REST_STREAM = 2,          /* req->stream is the event stream client */
};

struct RestRequest {
	RestServer *server;
	Manager *manager;
	void *connection;         /* struct MHD_Connection */
	RestMethod method;
	char *path;
	const RestRoute *route;
	const char *param;        /* the {…} path segment alone (in param_buf); cut at 255 bytes, longer
	                           * than any valid uuid, name or owner */
	char param_buf[256];
	Caller caller;
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
/* 400 naming the first query parameter not in allowed (NULL-terminated); 0 if none. */
int rest_request_check_query(RestRequest *req, const char *const *allowed);
/* Answers a REST_SUSPENDED request with what is in req->reply now. */
void rest_request_resume(RestRequest *req);
/* Runs a REST_SUSPENDED request's handler again (it finds what it waited for). */
void rest_request_redispatch(RestRequest *req);

/* ---- the server (rest.c) ---- */

int rest_server_new(Manager *m, RestServer **ret);
RestServer *rest_server_free(RestServer *s);
RestEvents *rest_server_events(RestServer *s);
/* Serves connections that were just resumed. */
void rest_server_wake(RestServer *s);
RestCache *rest_server_listing_cache(RestServer *s);
