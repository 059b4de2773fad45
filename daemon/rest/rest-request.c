// SPDX-License-Identifier: GPL-2.0-only
/*
 * The REST adapter's leaf (rest-request.h): methods, the reply a handler
 * fills in and how it goes out through MHD, the listing cache, a request's
 * query and headers, and resuming a request that waited.
 */
#include <errno.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "definitions.h"
#include "log.h"
#include "macro.h"
#include "rest-request.h"

static const char *const method_names[] = { "GET", "POST", "PUT", "PATCH", "DELETE" };

RestMethod rest_method_from_string(const char *s)
{
	for (size_t i = 0; i < ELEMENTSOF(method_names); i++)
		if (streq(s, method_names[i]))
			return 1u << i;
	return 0;
}

const char *rest_method_to_string(RestMethod method)
{
	for (size_t i = 0; i < ELEMENTSOF(method_names); i++)
		if ((unsigned) method == 1u << i)
			return method_names[i];
	return NULL;
}

const char *rest_methods_to_string(unsigned mask, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ELEMENTSOF(method_names); i++)
		if (mask & (1u << i))
			n += snprintf(buf + n, n < size ? size - n : 0, "%s%s", n ? ", " : "", method_names[i]);
	return buf;
}

void rest_reply_done(RestReply *r)
{
	json_decref(r->body);
	free(r->text);
	*r = (RestReply) {};
}

void rest_cache_done(RestCache *c)
{
	free(c->text);
	*c = (RestCache) {};
}

int rest_reply_cached(RestReply *reply, RestCache *c, Manager *m, json_t *(*build)(Manager *m))
{
	uint64_t generation = definitions_generation(m);

	if (!c->valid || c->generation != generation) {
		_cleanup_(json_decrefp) json_t *body = build(m);
		char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;

		if (!text)
			return -ENOMEM;
		rest_cache_done(c);
		c->text = text;
		c->len = strlen(text);
		c->generation = generation;
		c->valid = true;
	}
	rest_reply_done(reply);
	reply->text = malloc(c->len);
	if (!reply->text)
		return -ENOMEM;
	memcpy(reply->text, c->text, c->len);
	reply->text_len = c->len;
	reply->status = 200;
	return 0;
}

const char *rest_request_query(RestRequest *req, const char *key)
{
	return MHD_lookup_connection_value(req->connection, MHD_GET_ARGUMENT_KIND, key);
}

const char *rest_request_header(RestRequest *req, const char *key)
{
	return MHD_lookup_connection_value(req->connection, MHD_HEADER_KIND, key);
}

typedef struct QueryCheck {
	const char *const *allowed;
	const char *unknown;
} QueryCheck;

static enum MHD_Result check_query_key(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	QueryCheck *q = cls;

	for (size_t i = 0; q->allowed[i]; i++)
		if (streq(key, q->allowed[i]))
			return MHD_YES;
	q->unknown = key;
	return MHD_NO;
}

const char *rest_request_unknown_query(RestRequest *req, const char *const *allowed)
{
	QueryCheck q = { .allowed = allowed };

	MHD_get_connection_values(req->connection, MHD_GET_ARGUMENT_KIND, check_query_key, &q);
	return q.unknown;
}

void rest_request_resume(RestRequest *req)
{
	req->handled = true;
	rest_request_redispatch(req);
}

void rest_request_redispatch(RestRequest *req)
{
	if (req->suspended) {
		req->suspended = false;
		MHD_resume_connection(req->connection);
		rest_wake(req->wake);
	}
}

int rest_reply_queue(void *connection, RestReply *r)
{
	struct MHD_Response *response;
	char *text = NULL;
	size_t len = 0;
	enum MHD_Result ret;

	if (r->text) {
		text = TAKE_PTR(r->text);
		len = r->text_len;
	} else if (r->body) {
		text = json_dumps(r->body, JSON_COMPACT);
		if (!text)
			return MHD_NO;
		len = strlen(text);
	}
	response = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!response) {
		free(text);
		return MHD_NO;
	}
	if (r->body || len)
		(void) MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
					       r->content_type ?: r->problem ? "application/problem+json" : "application/json");
	if (r->location[0])
		(void) MHD_add_response_header(response, MHD_HTTP_HEADER_LOCATION, r->location);
	if (r->allow) {
		char allow[64];

		(void) MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW,
					       rest_methods_to_string(r->allow, allow, sizeof(allow)));
	}
	if (r->authenticate)
		(void) MHD_add_response_header(response, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"gvtd\"");
	if (r->retry_after) {
		char s[16];

		snprintf(s, sizeof(s), "%u", r->retry_after);
		(void) MHD_add_response_header(response, MHD_HTTP_HEADER_RETRY_AFTER, s);
	}
	ret = MHD_queue_response(connection, r->status, response);
	MHD_destroy_response(response);
	return ret;
}

void rest_wake(sd_event_source *wake)
{
	int r = sd_event_source_set_enabled(wake, SD_EVENT_ONESHOT);

	if (r < 0)
		log_warning_errno(r, "Failed to schedule the HTTP server, ignoring: %m");
}
