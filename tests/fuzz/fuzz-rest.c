// SPDX-License-Identifier: GPL-2.0-only
/*
 * One REST request as the adapter sees it once MHD has split it: method,
 * path (with its {…} parameter), query parameters, headers and the body,
 * through rest_route_find(), rest_body_parse() and the route's handler
 * (daemon/rest/), against a Manager over an empty scratch root. The caller
 * holds a reader token, so every handler checks its whole input and then
 * is refused before it acts: nothing is written, each run is like the first.
 *
 * Input: "METHOD PATH[?QUERY]\n", then "Name: value\n" header lines, an empty
 * line, and the body (as in HTTP/1.1, without percent-decoding).
 *
 * The contract checked: a handler replies (or streams); any reply of 400 or
 * more has a problem body (no 500 from a malformed request).
 */
#include <errno.h>
#include <microhttpd.h>
#include <strings.h>
#include <unistd.h>

#include "fuzz.h"
#include "manager.h"
#include "rest.h"
#include "rest-metrics.h"
#include "rest-routes.h"

#define FIELDS_MAX 64

typedef struct Field {
	char *key, *value;
} Field;

/* What MHD would hold for the connection. */
typedef struct FakeConnection {
	Field query[FIELDS_MAX], headers[FIELDS_MAX];
	size_t n_query, n_headers;
} FakeConnection;

/* These replace libmicrohttpd's for the handlers: the executable's definitions win. */
const char *MHD_lookup_connection_value(struct MHD_Connection *connection, enum MHD_ValueKind kind, const char *key)
{
	FakeConnection *c = (FakeConnection *) connection;
	const Field *f = kind == MHD_GET_ARGUMENT_KIND ? c->query : c->headers;
	size_t n = kind == MHD_GET_ARGUMENT_KIND ? c->n_query : c->n_headers;

	for (size_t i = 0; i < n; i++)
		if (kind == MHD_GET_ARGUMENT_KIND ? streq(f[i].key, key) : strcasecmp(f[i].key, key) == 0)
			return f[i].value;
	return NULL;
}

int MHD_get_connection_values(struct MHD_Connection *connection, enum MHD_ValueKind kind,
			      MHD_KeyValueIterator iterator, void *iterator_cls)
{
	FakeConnection *c = (FakeConnection *) connection;
	const Field *f = kind == MHD_GET_ARGUMENT_KIND ? c->query : c->headers;
	size_t n = kind == MHD_GET_ARGUMENT_KIND ? c->n_query : c->n_headers;
	size_t i;

	for (i = 0; i < n; i++)
		if (iterator && iterator(iterator_cls, kind, f[i].key, f[i].value) != MHD_YES)
			return (int) i + 1;
	return (int) i;
}

static Manager *manager;

/* Readers change nothing: the root stays empty. */
static void remove_root(void)
{
	(void) rmdir(manager->config.root);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char tmpl[] = "/tmp/gvtd-fuzz-rest-XXXXXX";

	log_set_max_level(-1);
	if (manager_new(&manager) < 0 || !mkdtemp(tmpl))
		abort();
	manager->config.root = strdup(tmpl);
	manager->config.polkit = POLKIT_NO;
	atexit(remove_root);
	return 0;
}

/* Cuts s at the first c (into a NUL); the rest, or NULL if there was none. */
static char *cut(char *s, char c)
{
	char *p = s ? strchr(s, c) : NULL;

	if (!p)
		return NULL;
	*p = '\0';
	return p + 1;
}

static void split_query(FakeConnection *c, char *q)
{
	while (q && c->n_query < FIELDS_MAX) {
		char *next = cut(q, '&'), *value = cut(q, '=');

		/* MHD: "key" alone has no value; "key=" an empty one. */
		c->query[c->n_query++] = (Field) { q, value };
		q = next;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = malloc(size + 1);
	FakeConnection conn = {};
	RestCache listing = {};
	RestMetrics metrics = {};
	RestRequest req = {};
	char *line, *rest, *target, *body = NULL;
	size_t body_len = 0;
	unsigned allow;
	int r;

	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';

	/* The request line. */
	line = text;
	rest = cut(line, '\n');
	target = cut(line, ' ');
	if (!target)
		return 0;
	split_query(&conn, cut(target, '?'));
	/* Headers up to an empty line; the body is every byte after it (NULs included). */
	while (rest && *rest && *rest != '\n' && conn.n_headers < FIELDS_MAX) {
		char *next = cut(rest, '\n'), *value = cut(rest, ':');

		if (value) {
			value += strspn(value, " \t");
			conn.headers[conn.n_headers++] = (Field) { rest, value };
		}
		rest = next;
	}
	if (rest && *rest == '\n') {
		body = rest + 1;
		body_len = size - (size_t) (body - text);
	}

	req = (RestRequest) {
		.manager = manager,
		.listing = &listing,
		.metrics = &metrics,
		.connection = &conn,
		.method = rest_method_from_string(line),
		.path = target,
		.caller = { .uid = 65534, .gid = 65534, .role = ROLE_READER, .owner = "fuzz" },
	};
	if (!req.method)
		return 0;
	r = rest_route_find(req.path, req.method, &req.route, &req.param, &allow);
	FUZZ_CHECK(r == 0 || r == -ENOENT || r == -EOPNOTSUPP);
	if (r < 0)
		return 0;
	if (body && (req.method & (REST_POST | REST_PUT | REST_PATCH))) {
		r = rest_body_parse(body, body_len, &req.body, &req.reply);
		FUZZ_CHECK(r == 0 || (r == 1 && req.reply.status == 400 && req.reply.body));
	}
	if (r == 0) {
		r = rest_route_dispatch(&req);
		FUZZ_CHECK(r == REST_REPLIED || r == REST_STREAM);
		FUZZ_CHECK(r == REST_STREAM || req.reply.status >= 200);
		FUZZ_CHECK(req.reply.status < 400 || req.reply.body);
	}
	json_decref(req.body);
	rest_reply_done(&req.reply);
	rest_cache_done(&listing);
	rest_metrics_done(&metrics);
	return 0;
}
