/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The REST adapter (docs/rest-api.md, api/openapi.yaml): libmicrohttpd on
 * gvtd's sd-event loop. Like the D-Bus adapter it translates; validation,
 * authorization and every decision stay in the core.
 *
 *   rest.c          listeners, MHD on the loop, request bodies, replies
 *   rest-auth.c     who the caller is: SO_PEERCRED, bearer tokens
 *   rest-routes.c   the resource table and its handlers
 *   rest-json.c     core objects as JSON
 *   rest-problem.c  the one map from errors to RFC 9457 problems
 *   rest-events.c   the Server-Sent Events stream and its history
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "auth.h"
#include "errors.h"
#include "inventory.h"

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

/* SO_PEERCRED and SO_PEERGROUPS of a unix socket. */
typedef struct RestPeer {
	pid_t pid;
	uid_t uid;
	gid_t gid;
	gid_t groups[64];
	size_t n_groups;
} RestPeer;

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

/* ---- routing (rest-routes.c) ---- */

typedef int (*RestHandler)(RestRequest *req, RestReply *reply);

struct RestRoute {
	const char *pattern;      /* "/v1/vgpus/{uuid}": one {…} segment at most */
	RestHandler handlers[5];  /* by bit of RestMethod */
};

/*
 * The route for path and method: 0 and *ret_route, *ret_param (into path);
 * -ENOENT no such path; -EOPNOTSUPP path known, method not (*ret_allow).
 */
int rest_route_find(const char *path, RestMethod method, const RestRoute **ret_route, const char **ret_param,
		    unsigned *ret_allow);
int rest_route_dispatch(RestRequest *req);

/* ---- JSON (rest-json.c) ---- */

json_t *rest_json_vgpu(Manager *m, const Vgpu *v);
json_t *rest_json_type(const Parent *p, const MdevType *t);
json_t *rest_json_parent(const Parent *p);
json_t *rest_json_host(Manager *m);
typedef struct Definition Definition;
json_t *rest_json_definition(Manager *m, const Definition *d);
/* A running vGPU (defined or not) or a stopped definition, as the Vgpu resource; NULL if neither. */
json_t *rest_json_vgpu_by_uuid(Manager *m, const char *uuid);
/* Running vGPUs and stopped definitions matching every filter that is not NULL. */
json_t *rest_json_vgpus(Manager *m, const char *parent, const char *type, const char *owner, const char *state);
/* An owner's limits (its own entry; none if it has none) and usage. */
json_t *rest_json_quota(Manager *m, const char *owner);

/* ---- problems (rest-problem.c) ---- */

/* Stable problem type URI for a name ("NotFound" -> "urn:gvtd:problem:NotFound"). */
#define REST_PROBLEM_PREFIX "urn:gvtd:problem:"

/* The core's error as a problem: status from the kind, specifics as members. */
int rest_problem_from_error(RestReply *reply, int r, const GvtError *e);
/* A problem of the adapter itself (bad HTTP, bad JSON); field, if set, is named in invalid-params. */
int rest_problem(RestReply *reply, unsigned status, const char *name, const char *field, const char *format, ...)
	_printf_(5, 6);
/* The HTTP status of a core error kind. */
unsigned rest_problem_status(GvtErrorKind kind);

/* ---- callers (rest-auth.c) ---- */

typedef struct RestToken {
	uint8_t hash[32];         /* SHA-256 of the token */
	char *owner;
	Role role;
} RestToken;

typedef struct RestTokens {
	RestToken *tokens;
	size_t n_tokens;
} RestTokens;

/* "sha256:HEX OWNER ROLE" lines, # comments. A missing file is no tokens. */
int rest_tokens_load(const char *path, RestTokens *ret);
int rest_tokens_parse_line(const char *line, RestToken *ret);
void rest_tokens_done(RestTokens *t);
/* SHA-256 of a token. */
int rest_token_hash(const char *token, uint8_t ret[32]);
/* The entry whose hash matches token's, comparing every entry in constant time. */
const RestToken *rest_tokens_find(const RestTokens *t, const char *token);
/* The token of an "Authorization: Bearer X" header, or NULL. */
const char *rest_bearer_token(const char *authorization);
bool rest_memeq_const_time(const void *a, const void *b, size_t n);

int rest_peer_from_fd(int fd, RestPeer *ret);

/* ---- events (rest-events.c) ---- */

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

int rest_events_new(Manager *m, RestServer *server, RestEvents **ret);
RestEvents *rest_events_free(RestEvents *ev);
struct MHD_Response;
/* GET /v1/events: the stream's response for a new client (req->stream); NULL on OOM. */
struct MHD_Response *rest_events_response(RestEvents *ev, RestRequest *req);
/* Resumes every client so the server can stop. */
void rest_events_shutdown(RestEvents *ev);
