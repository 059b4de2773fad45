// SPDX-License-Identifier: GPL-2.0-only
/* The REST adapter's pure parts: routing, the problem map, tokens, the event history. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "rest.h"
#include "rest-json.h"
#include "rest-routes.h"
#include "rest-problem.h"
#include "rest-events.h"
#include "tokens.h"

static void test_routes(void **state)
{
	static const struct {
		const char *path;
		RestMethod method;
		int r;
		const char *param;
		unsigned allow;
	} cases[] = {
		{ "/v1", REST_GET, 0, NULL, REST_GET },
		{ "/v1/vgpus", REST_GET, 0, NULL, REST_GET | REST_POST },
		{ "/v1/vgpus", REST_POST, 0, NULL, REST_GET | REST_POST },
		{ "/v1/vgpus", REST_PUT, -EOPNOTSUPP, NULL, REST_GET | REST_POST },
		{ "/v1/vgpus/abc", REST_DELETE, 0, "abc", REST_GET | REST_PATCH | REST_DELETE },
		{ "/v1/vgpus/abc", REST_POST, -EOPNOTSUPP, NULL, REST_GET | REST_PATCH | REST_DELETE },
		{ "/v1/vgpus/abc/start", REST_POST, 0, "abc/start", REST_POST },
		{ "/v1/vgpus/abc/stop", REST_GET, -EOPNOTSUPP, NULL, REST_POST },
		{ "/v1/vgpus/abc/pause", REST_POST, -ENOENT, NULL, 0 },
		{ "/v1/quotas", REST_GET, 0, NULL, REST_GET },
		{ "/v1/quotas/@default", REST_PUT, 0, "@default", REST_GET | REST_PUT },
		{ "/v1/vgpus/", REST_GET, -ENOENT, NULL, 0 },
		{ "/v1/vgpus/a/b", REST_GET, -ENOENT, NULL, 0 },
		{ "/v1/parents/0000:00:02.0", REST_GET, 0, "0000:00:02.0", REST_GET },
		{ "/v1/host/modules", REST_POST, 0, NULL, REST_POST },
		{ "/v1/events", REST_GET, 0, NULL, REST_GET },
		{ "/metrics", REST_GET, 0, NULL, REST_GET },
		{ "/metrics", REST_POST, -EOPNOTSUPP, NULL, REST_GET },
		{ "/v1/metrics", REST_GET, -ENOENT, NULL, 0 },
		{ "/metrics/x", REST_GET, -ENOENT, NULL, 0 },
		{ "/v2", REST_GET, -ENOENT, NULL, 0 },
		{ "/v1/", REST_GET, -ENOENT, NULL, 0 },
		{ "", REST_GET, -ENOENT, NULL, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const RestRoute *route = NULL;
		const char *param = NULL;
		unsigned allow;
		int r = rest_route_find(cases[i].path, cases[i].method, &route, &param, &allow);

		assert_int_equal(r, cases[i].r);
		if (r == 0) {
			assert_non_null(route);
			if (cases[i].param)
				assert_string_equal(param, cases[i].param);
			else
				assert_null(param);
		}
		if (r != -ENOENT)
			assert_int_equal(allow, cases[i].allow);
	}
}

static void test_methods(void **state)
{
	char buf[64];

	assert_int_equal(rest_method_from_string("GET"), REST_GET);
	assert_int_equal(rest_method_from_string("DELETE"), REST_DELETE);
	assert_int_equal(rest_method_from_string("get"), 0);
	assert_int_equal(rest_method_from_string("HEAD"), 0);
	assert_string_equal(rest_methods_to_string(REST_GET | REST_DELETE, buf, sizeof(buf)), "GET, DELETE");
}

static void test_problem_map(void **state)
{
	static const char *const http_names[] = { "Unauthorized", "MethodNotAllowed", "UnsupportedMediaType",
						  "PayloadTooLarge", "MalformedJson", "TooManyConnections" };

	for (GvtErrorKind k = GVT_ERROR_FAILED; k < _GVT_ERROR_KIND_MAX; k++) {
		RestReply reply = {}, other = {};
		const char *title;
		GvtError e = {};
		char type[64];

		gvt_error_set(&e, k, "because %d", (int) k);
		assert_int_equal(rest_problem_from_error(&reply, gvt_error_kind_to_errno(k), &e), 0);
		assert_true(reply.problem);
		assert_int_not_equal(reply.status, 0);
		assert_int_equal(reply.status, rest_problem_status(k));
		snprintf(type, sizeof(type), REST_PROBLEM_PREFIX "%s", gvt_error_kind_to_string(k));
		assert_string_equal(json_string_value(json_object_get(reply.body, "type")), type);
		assert_string_equal(json_string_value(json_object_get(reply.body, "detail")), e.message);
		assert_int_equal(json_integer_value(json_object_get(reply.body, "status")), reply.status);
		title = json_string_value(json_object_get(reply.body, "title"));
		assert_non_null(title);
		assert_string_equal(title, rest_problem_title(gvt_error_kind_to_string(k)));
		/* the adapter's own problem of the same type (rest.c's 404 of an unknown path, its 500) has the same title */
		assert_int_equal(rest_problem(&other, reply.status, gvt_error_kind_to_string(k), NULL, "x"), 0);
		assert_string_equal(json_string_value(json_object_get(other.body, "title")), title);
		rest_reply_done(&other);
		rest_reply_done(&reply);
	}
	/* every HTTP-level name of api/openapi.yaml has its title */
	for (size_t i = 0; i < ELEMENTSOF(http_names); i++)
		assert_non_null(rest_problem_title(http_names[i]));
	assert_null(rest_problem_title("NoSuchProblem"));
	assert_int_equal(rest_problem_status(GVT_ERROR_NOT_FOUND), 404);
	assert_int_equal(rest_problem_status(GVT_ERROR_NOT_PERMITTED), 403);
	assert_int_equal(rest_problem_status(GVT_ERROR_NOT_READY), 503);
	assert_int_equal(rest_problem_status(GVT_ERROR_INVALID_ARGUMENT), 400);
}

static void test_problem_specifics(void **state)
{
	RestReply reply = {};
	GvtError e = {};

	/* no GvtError: the errno decides */
	assert_int_equal(rest_problem_from_error(&reply, -ENOENT, NULL), 0);
	assert_int_equal(reply.status, 404);

	gvt_error_set(&e, GVT_ERROR_NO_CAPACITY, "full");
	strcpy(e.resource, "aperture");
	assert_int_equal(rest_problem_from_error(&reply, -ENOSPC, &e), 0);
	assert_int_equal(reply.status, 409);
	assert_string_equal(json_string_value(json_object_get(reply.body, "resource")), "aperture");

	assert_int_equal(rest_problem(&reply, 400, "InvalidArgument", "type", "bad %s", "type"), 0);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(reply.body,
						"invalid-params"), 0), "name")), "type");
	rest_reply_done(&reply);
}

/* Found by fuzz-rest: a "%.64s" cut inside a multibyte character, a caller's raw bytes (issue 19 l). */
static void test_problem_not_utf8(void **state)
{
	RestReply reply = {};
	char key[64 + 2], expected[128];
	json_t *param;

	memset(key, 'k', 63);
	strcpy(key + 63, "\xc3\xa9");       /* U+00E9 across the cut at 64 bytes */
	snprintf(expected, sizeof(expected), "Unknown member \"%.63s?\"", key);
	assert_int_equal(rest_problem(&reply, 400, "InvalidArgument", key, "Unknown member \"%.64s\"", key), 0);
	assert_int_equal(reply.status, 400);
	assert_non_null(reply.body);
	assert_string_equal(json_string_value(json_object_get(reply.body, "detail")), expected);
	param = json_array_get(json_object_get(reply.body, "invalid-params"), 0);
	assert_string_equal(json_string_value(json_object_get(param, "name")), key);

	/* A query key as MHD hands it over: bytes that are no UTF-8 at all, and a surrogate. */
	assert_int_equal(rest_problem(&reply, 400, "InvalidArgument", "a\xff\xed\xa0\x80" "b",
				      "Unknown query parameter \"%s\"", "a\xff\xed\xa0\x80" "b"), 0);
	assert_non_null(reply.body);
	assert_string_equal(json_string_value(json_object_get(reply.body, "detail")),
			    "Unknown query parameter \"a????b\"");
	param = json_array_get(json_object_get(reply.body, "invalid-params"), 0);
	assert_string_equal(json_string_value(json_object_get(param, "name")), "a????b");
	rest_reply_done(&reply);
}

static void test_tokens(void **state)
{
	/* sha256("secret-token") */
	static const char line[] =
		"sha256:930bbdc51b6aed5c2a5678fd6e28dee7a05e8a4b643cfc0b4427c3efb86c0d94 alice user";
	uint8_t hash[32];
	Tokens t = {};
	Token tok;
	char hex[65];

	assert_int_equal(tokens_hash("secret-token", hash), 0);
	for (size_t i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", hash[i]);
	assert_string_equal(hex, "930bbdc51b6aed5c2a5678fd6e28dee7a05e8a4b643cfc0b4427c3efb86c0d94");
	assert_int_equal(tokens_parse_line(line, &tok), 0);
	assert_string_equal(tok.owner, "alice");
	assert_int_equal(tok.role, ROLE_USER);
	assert_memory_equal(tok.hash, hash, 32);
	free(tok.owner);

	assert_int_equal(tokens_parse_line("sha256:abc alice user", &tok), -EINVAL);
	assert_int_equal(tokens_parse_line(line + 7, &tok), -EINVAL);
	{
		char bad[sizeof(line)];

		strcpy(bad, line);
		memcpy(strstr(bad, "user"), "root", 4);
		assert_int_equal(tokens_parse_line(bad, &tok), -EINVAL);
		strcpy(bad, line);
		bad[7] = 'g';
		assert_int_equal(tokens_parse_line(bad, &tok), -EINVAL);
	}

	t.tokens = calloc(2, sizeof(Token));
	t.n_tokens = 2;
	t.tokens[0] = (Token) { .owner = strdup("bob"), .role = ROLE_READER };
	t.tokens[1] = (Token) { .owner = strdup("carol"), .role = ROLE_ADMIN };
	memcpy(t.tokens[1].hash, hash, 32);
	assert_ptr_equal(tokens_find(&t, "secret-token"), &t.tokens[1]);
	assert_null(tokens_find(&t, "secret-tokeN"));
	assert_null(tokens_find(&t, ""));
	assert_null(tokens_find(&t, NULL));
	tokens_done(&t);

	assert_string_equal(rest_bearer_token("Bearer abc"), "abc");
	assert_string_equal(rest_bearer_token("bearer  abc"), "abc");
	assert_null(rest_bearer_token("Basic abc"));
	assert_null(rest_bearer_token("Bearer "));
	assert_null(rest_bearer_token(NULL));

	assert_true(tokens_memeq_const_time("abcd", "abcd", 4));
	assert_false(tokens_memeq_const_time("abcd", "abce", 4));
}

static void test_events_history(void **state)
{
	RestEventsHistory h;
	json_t *data = json_pack("{s:s}", "uuid", "x");
	uint64_t pos;
	size_t off = 0;
	char buf[4096], small[7];
	ssize_t n;

	rest_events_history_init(&h, 100);
	assert_int_equal(rest_events_history_resume(&h, NULL, &pos), 0);
	assert_int_equal(pos, 100);
	assert_int_equal(rest_events_history_read(&h, &pos, &off, buf, sizeof(buf)), 0);

	assert_int_equal(rest_events_history_append(&h, "vgpu-added", data), 0);
	n = rest_events_history_read(&h, &pos, &off, buf, sizeof(buf));
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "id: 100\nevent: vgpu-added\ndata: {\"uuid\":\"x\"}\n\n");
	assert_int_equal(pos, 101);

	/* a frame in pieces */
	assert_int_equal(rest_events_history_append(&h, "vgpu-removed", data), 0);
	{
		char whole[256] = "";

		while ((n = rest_events_history_read(&h, &pos, &off, small, sizeof(small))) > 0)
			strncat(whole, small, n);
		assert_string_equal(whole, "id: 101\nevent: vgpu-removed\ndata: {\"uuid\":\"x\"}\n\n");
	}

	/* resume */
	assert_int_equal(rest_events_history_resume(&h, "100", &pos), 0);
	assert_int_equal(pos, 101);
	assert_int_equal(rest_events_history_resume(&h, "101", &pos), 0);
	assert_int_equal(pos, 102);
	assert_int_equal(rest_events_history_resume(&h, "102", &pos), -ESTALE);   /* from the future */
	assert_int_equal(rest_events_history_resume(&h, "98", &pos), -ESTALE);    /* before the first */
	assert_int_equal(rest_events_history_resume(&h, "99", &pos), 0);          /* just before: no gap */
	assert_int_equal(rest_events_history_resume(&h, "x", &pos), -ESTALE);
	assert_int_equal(pos, 102);

	/* overflow: the oldest go, a client behind them is cut off */
	pos = 100;
	off = 0;
	for (int i = 0; i < REST_EVENTS_HISTORY; i++)
		assert_int_equal(rest_events_history_append(&h, "vgpu-changed", data), 0);
	assert_int_equal(h.next_id - h.first_id, REST_EVENTS_HISTORY);
	assert_int_equal(rest_events_history_read(&h, &pos, &off, buf, sizeof(buf)), -ESTALE);
	assert_int_equal(rest_events_history_resume(&h, "100", &pos), -ESTALE);
	pos = h.first_id;
	assert_true(rest_events_history_read(&h, &pos, &off, buf, sizeof(buf)) > 0);

	json_decref(data);
	rest_events_history_done(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_methods),
		cmocka_unit_test(test_problem_map),
		cmocka_unit_test(test_problem_specifics),
		cmocka_unit_test(test_problem_not_utf8),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_events_history),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
