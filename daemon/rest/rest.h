/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The REST adapter (docs/rest-api.md, api/openapi.yaml): libmicrohttpd on
 * gvtd's sd-event loop. Like the D-Bus adapter it translates; validation,
 * authorization and every decision stay in the core.
 *
 *   rest.c          listeners, MHD on the loop, request bodies (this header)
 *   rest-request.c  the leaf: a request, its query and headers, the reply
 *   rest-auth.c     who the caller is: SO_PEERCRED, bearer tokens
 *   rest-routes.c   the resource table and its handlers
 *   rest-json.c     core objects as JSON
 *   rest-problem.c  the one map from errors to RFC 9457 problems
 *   rest-events.c   the Server-Sent Events stream and its history
 *   rest-connections.c  connections: count, request deadline, eviction
 *   rest-tls.c      the TLS certificate, read again on a reload
 * each with a header of its own.
 */
#pragma once

#include "rest-request.h"

typedef struct Manager Manager;
typedef struct RestServer RestServer;
typedef struct RestEvents RestEvents;

/* ---- the server (rest.c) ---- */

/*
 * A request body (len bytes, no NUL needed) as JSON: 0 and *ret (owned), or
 * 1 with reply set to the 400 that says where it is malformed; -ENOMEM.
 */
int rest_body_parse(const char *buf, size_t len, json_t **ret, RestReply *reply);

int rest_server_new(Manager *m, RestServer **ret);
RestServer *rest_server_free(RestServer *s);
/* SIGHUP: TLSCertificate=/TLSKey= read again for new connections; on an error the old stay. */
int rest_server_reload(RestServer *s);
RestEvents *rest_server_events(RestServer *s);
