// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one map from errors to HTTP: RFC 9457 application/problem+json. The
 * type is a stable URN per kind of the core's vocabulary (the same names as
 * the D-Bus errors) or per HTTP-level problem of the adapter; the detail is
 * the core's message; specifics (the resource that ran out, the field that
 * is wrong) are members of their own.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "rest-request.h"
#include "rest-problem.h"
#include "utf8.h"

/* Every kind has its entry: a new kind without one fails the unit test. */
static const unsigned statuses[_GVT_ERROR_KIND_MAX] = {
	[GVT_ERROR_NONE] = 500,
	[GVT_ERROR_FAILED] = 500,
	[GVT_ERROR_INVALID_ARGUMENT] = 400,
	[GVT_ERROR_NOT_FOUND] = 404,
	[GVT_ERROR_ALREADY_EXISTS] = 409,
	[GVT_ERROR_NO_CAPACITY] = 409,
	[GVT_ERROR_BUSY] = 409,
	[GVT_ERROR_NOT_PERMITTED] = 403,
	[GVT_ERROR_MODULE_FAILURE] = 500,
	[GVT_ERROR_NOT_READY] = 503,
	[GVT_ERROR_QUOTA_EXCEEDED] = 409,
	[GVT_ERROR_VETOED] = 409,
};

static const char *const titles[_GVT_ERROR_KIND_MAX] = {
	[GVT_ERROR_NONE] = "Failed",
	[GVT_ERROR_FAILED] = "The operation failed",
	[GVT_ERROR_INVALID_ARGUMENT] = "Invalid argument",
	[GVT_ERROR_NOT_FOUND] = "Not found",
	[GVT_ERROR_ALREADY_EXISTS] = "Already exists",
	[GVT_ERROR_NO_CAPACITY] = "No capacity left",
	[GVT_ERROR_BUSY] = "Busy",
	[GVT_ERROR_NOT_PERMITTED] = "Not permitted",
	[GVT_ERROR_MODULE_FAILURE] = "Module failure",
	[GVT_ERROR_NOT_READY] = "Not ready",
	[GVT_ERROR_QUOTA_EXCEEDED] = "Quota exceeded",
	[GVT_ERROR_VETOED] = "Vetoed by a callout",
};

/* The adapter's own problems (HTTP itself); a name is either a core kind or one of these. */
static const struct {
	const char *name, *title;
} http_titles[] = {
	{ "Unauthorized", "Unauthorized" },
	{ "MethodNotAllowed", "Method not allowed" },
	{ "UnsupportedMediaType", "Unsupported media type" },
	{ "PayloadTooLarge", "Payload too large" },
	{ "MalformedJson", "Malformed JSON" },
	{ "TooManyConnections", "Too many connections" },
};

/* The one title of a problem type, whichever route or layer sends it (NULL: no such name). */
const char *rest_problem_title(const char *name)
{
	int k = gvt_error_kind_from_string(name);

	if (k >= 0)
		return titles[k];
	for (size_t i = 0; i < ELEMENTSOF(http_titles); i++)
		if (streq(http_titles[i].name, name))
			return http_titles[i].title;
	return NULL;
}

unsigned rest_problem_status(GvtErrorKind kind)
{
	return kind > GVT_ERROR_NONE && kind < _GVT_ERROR_KIND_MAX ? statuses[kind] : 500;
}

static int problem_new(RestReply *reply, unsigned status, const char *name, const char *title, const char *detail_in)
{
	char type[64], detail[GVT_ERROR_MESSAGE_MAX];

	snprintf(type, sizeof(type), REST_PROBLEM_PREFIX "%s", name);
	utf8_valid(detail_in, detail, sizeof(detail));
	rest_reply_done(reply);
	reply->status = status;
	reply->problem = true;
	reply->body = json_pack("{s:s, s:s, s:i, s:s}", "type", type, "title", title, "status", (int) status,
				"detail", detail);
	return reply->body ? 0 : -ENOMEM;
}

int rest_problem_from_error(RestReply *reply, int r, const GvtError *e)
{
	const char *detail;
	GvtErrorKind kind = gvt_error_resolve(r, e, &detail);

	if (problem_new(reply, statuses[kind], gvt_error_kind_to_string(kind), titles[kind], detail) < 0)
		return -ENOMEM;
	if ((kind == GVT_ERROR_NO_CAPACITY || kind == GVT_ERROR_QUOTA_EXCEEDED) && e && e->resource[0])
		json_object_set_new(reply->body, "resource", json_string(e->resource));
	if (kind == GVT_ERROR_QUOTA_EXCEEDED && e)
		json_object_set_new(reply->body, "quota",
				    json_pack("{s:s, s:I, s:I, s:I}", "owner", e->quota.owner,
					      "limit", (json_int_t) e->quota.limit, "usage", (json_int_t) e->quota.usage,
					      "request", (json_int_t) e->quota.request));
	if (kind == GVT_ERROR_NOT_READY)
		reply->retry_after = 5;
	return 0;
}

int rest_problem(RestReply *reply, unsigned status, const char *name, const char *field, const char *format, ...)
{
	char detail[GVT_ERROR_MESSAGE_MAX], name_buf[GVT_ERROR_MESSAGE_MAX];
	va_list ap;

	va_start(ap, format);
	vsnprintf(detail, sizeof(detail), format, ap);
	va_end(ap);
	/* The adapter's own check found a core kind of error (InvalidArgument, NotFound): counted as such. */
	gvt_error_count(gvt_error_kind_from_string(name));
	if (problem_new(reply, status, name, rest_problem_title(name) ?: name, detail) < 0)
		return -ENOMEM;
	if (field)
		json_object_set_new(reply->body, "invalid-params",
				    json_pack("[{s:s, s:s}]", "name", utf8_valid(field, name_buf, sizeof(name_buf)),
					      "reason", json_string_value(json_object_get(reply->body, "detail"))));
	return 0;
}
