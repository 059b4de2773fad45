// SPDX-License-Identifier: GPL-2.0-only
/*
 * The resources under /v1 and their handlers. A handler checks its input with
 * the core's validators, asks the core to authorize, calls the core and
 * encodes the answer; errors go through rest-problem.c. Same order as the
 * D-Bus methods: malformed input is reported as such even to callers who may
 * not act.
 */
#include <errno.h>

#include "definitions.h"
#include "doctor.h"
#include "lifecycle.h"
#include "owners.h"
#include "plan.h"
#include "manager.h"
#include "transient.h"
#include "rest-request.h"
#include "rest-problem.h"
#include "rest-json.h"
#include "rest-metrics.h"
#include "rest-routes.h"

/* 400 naming the first query parameter not in allowed: 1, else 0. */
static int check_query(RestRequest *req, RestReply *reply, const char *const *allowed)
{
	const char *unknown = rest_request_unknown_query(req, allowed);

	if (!unknown)
		return 0;
	(void) rest_problem(reply, 400, "InvalidArgument", unknown, "Unknown query parameter \"%.64s\"", unknown);
	return 1;
}

static int reply_json(RestReply *reply, unsigned status, json_t *body)
{
	if (!body)
		return -ENOMEM;
	rest_reply_done(reply);
	reply->status = status;
	reply->body = body;
	return REST_REPLIED;
}

/* A core error about one input; the field is named in invalid-params. */
static int reply_field_error(RestReply *reply, const char *field, int r, const GvtError *e)
{
	r = rest_problem_from_error(reply, r, e);
	if (r >= 0 && field)
		json_object_set_new(reply->body, "invalid-params",
				    json_pack("[{s:s, s:s}]", "name", field, "reason", e->message));
	return r;
}

static void on_authorized(int r, const GvtError *e, void *userdata)
{
	RestRequest *req = userdata;

	req->auth_done = true;
	req->auth_result = r;
	if (e)
		req->auth_error = *e;
	rest_request_redispatch(req);
}

/*
 * The core's answer for action: *ret_allowed, or a reply. When polkit is
 * asked the request is suspended, and its handler runs again from the
 * start once the answer is in, finding it here (as D-Bus calls do).
 */
static int authorize(RestRequest *req, RestReply *reply, Action a, bool *ret_allowed)
{
	GvtError e = {};
	int r;

	*ret_allowed = false;
	if (req->auth_done && req->auth_action == a) {
		req->auth_done = false;
		if (req->auth_result < 0)
			return rest_problem_from_error(reply, req->auth_result, &req->auth_error);
		*ret_allowed = true;
		return REST_REPLIED;
	}
	req->auth_done = false;
	req->auth_action = a;
	r = auth_authorize(req->manager, &req->caller, a, false, on_authorized, req, &e);
	if (r < 0)
		return rest_problem_from_error(reply, r, &e);
	if (r == 0)
		return REST_SUSPENDED;
	*ret_allowed = true;
	return REST_REPLIED;
}

typedef enum MemberKind {
	MEMBER_STRING,
	MEMBER_BOOL,
	MEMBER_ARRAY,
	MEMBER_OBJECT,
} MemberKind;

typedef struct Member {
	const char *name;
	MemberKind kind;
	bool required;
} Member;

static const char *const kind_names[] = {
	[MEMBER_STRING] = "a string",
	[MEMBER_BOOL] = "true or false",
	[MEMBER_ARRAY] = "an array",
	[MEMBER_OBJECT] = "an object",
};

/*
 * Reads the body's members into values[i] for members[i] (borrowed; NULL if
 * absent). 400 naming the member for one that is unknown or of the wrong
 * JSON type, and for a missing required one; then > 0 is returned.
 */
static int body_members(RestRequest *req, RestReply *reply, const Member *members, size_t n, json_t **values)
{
	const char *key;
	json_t *value;

	if (!json_is_object(req->body))
		return rest_problem(reply, 400, "InvalidArgument", NULL, "The body must be a JSON object") ?: 1;
	json_object_foreach(req->body, key, value) {
		size_t i;
		bool ok;

		for (i = 0; i < n; i++)
			if (streq(key, members[i].name))
				break;
		if (i == n)
			return rest_problem(reply, 400, "InvalidArgument", key, "Unknown member \"%.64s\"", key) ?: 1;
		ok = members[i].kind == MEMBER_STRING ? json_is_string(value) :
		     members[i].kind == MEMBER_BOOL ? json_is_boolean(value) :
		     members[i].kind == MEMBER_ARRAY ? json_is_array(value) : json_is_object(value);
		if (!ok)
			return rest_problem(reply, 400, "InvalidArgument", key, "Member \"%s\" must be %s",
					    key, kind_names[members[i].kind]) ?: 1;
		values[i] = value;
	}
	for (size_t i = 0; i < n; i++)
		if (members[i].required && !values[i])
			return rest_problem(reply, 400, "InvalidArgument", members[i].name,
					    "Member \"%s\" is required", members[i].name) ?: 1;
	return 0;
}

static const char *member_string(json_t *v)
{
	return v ? json_string_value(v) : NULL;
}

/* ---- / ---- */

static int get_root(RestRequest *req, RestReply *reply)
{
	return reply_json(reply, 200, json_pack("{s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}}", "version",
						PROJECT_VERSION, "links", "host", "/v1/host", "parents", "/v1/parents",
						"types", "/v1/types", "vgpus", "/v1/vgpus", "definitions",
						"/v1/definitions", "events", "/v1/events", "health", "/v1/health",
						"quotas", "/v1/quotas", "plan", "/v1/plan", "diagnostics",
						"/v1/diagnostics", "metrics", "/metrics"));
}

/* 503 until ready (the same body), so a probe on the status code alone tells. */
static int get_health(RestRequest *req, RestReply *reply)
{
	Manager *m = req->manager;
	bool ready = manager_ready(m);
	int r;

	r = reply_json(reply, ready ? 200 : 503, json_pack("{s:b, s:b, s:s}", "live", 1, "ready", ready,
							   "modules", modules_state_to_string(m->modules.state)));
	if (!ready)
		reply->retry_after = 5;
	return r;
}

static int get_host(RestRequest *req, RestReply *reply)
{
	return reply_json(reply, 200, rest_json_host(req->manager));
}

static void on_modules_loaded(Manager *m, int r, const GvtError *e, void *userdata)
{
	RestRequest *req = userdata;

	if (r < 0)
		(void) rest_problem_from_error(&req->reply, r, e);
	else
		(void) reply_json(&req->reply, 200, rest_json_host(m));
	rest_request_resume(req);
}

/* POST /v1/host/modules {"action": "load"|"unload"}: the load waits for the load order to finish. */
static int post_modules(RestRequest *req, RestReply *reply)
{
	static const Member members[] = { { "action", MEMBER_STRING, true } };
	json_t *values[ELEMENTSOF(members)] = {};
	const char *strings[1];
	Manager *m = req->manager;
	GvtError e = {};
	bool load, allowed;
	int r;

	r = body_members(req, reply, members, ELEMENTSOF(members), values);
	if (r != 0)
		return r < 0 ? r : REST_REPLIED;
	strings[0] = member_string(values[0]);
	if (!streq(strings[0], "load") && !streq(strings[0], "unload"))
		return rest_problem(reply, 400, "InvalidArgument", "action", "action must be \"load\" or \"unload\"");
	load = streq(strings[0], "load");
	if (modules_request_is_noop(&m->modules, load))
		return get_host(req, reply);
	r = authorize(req, reply, ACTION_MANAGE_MODULES, &allowed);
	if (!allowed)
		return r;
	if (!load) {
		r = modules_unload(m, &e);
		return r < 0 ? rest_problem_from_error(reply, r, &e) : get_host(req, reply);
	}
	r = modules_load(m, on_modules_loaded, req, &e);
	if (r < 0)
		return rest_problem_from_error(reply, r, &e);
	return req->handled ? REST_REPLIED : REST_SUSPENDED;
}

/* ---- parents and types ---- */

static const Parent *find_parent(RestRequest *req, RestReply *reply, const char *name, const char *field)
{
	GvtError e = {};
	const Parent *p;
	int r;

	r = validate_name("parent", name, &e);
	if (r < 0) {
		(void) reply_field_error(reply, field, r, &e);
		return NULL;
	}
	p = inventory_find_parent(&req->manager->inventory, name);
	if (!p)
		(void) rest_problem_from_error(reply, gvt_error_set(&e, GVT_ERROR_NOT_FOUND, "No mdev parent %s",
								    name), &e);
	return p;
}

static int get_parents(RestRequest *req, RestReply *reply)
{
	const Inventory *inv = &req->manager->inventory;
	json_t *a = json_array();

	for (size_t i = 0; a && i < inv->n_parents; i++)
		if (json_array_append_new(a, rest_json_parent(inv->parents[i])) < 0)
			return json_decref(a), -ENOMEM;
	return reply_json(reply, 200, a);
}

static int get_parent(RestRequest *req, RestReply *reply)
{
	const Parent *p = find_parent(req, reply, req->param, "id");

	return p ? reply_json(reply, 200, rest_json_parent(p)) : REST_REPLIED;
}

static int get_types(RestRequest *req, RestReply *reply)
{
	static const char *const query[] = { "parent", NULL };
	const Inventory *inv = &req->manager->inventory;
	const char *parent = rest_request_query(req, "parent");
	json_t *a;

	if (check_query(req, reply, query) || (parent && !find_parent(req, reply, parent, "parent")))
		return REST_REPLIED;
	a = json_array();
	for (size_t i = 0; a && i < inv->n_parents; i++) {
		const Parent *p = inv->parents[i];

		if (parent && !streq(parent, p->name))
			continue;
		for (size_t j = 0; j < p->n_types; j++)
			if (json_array_append_new(a, rest_json_type(p, &p->types[j])) < 0)
				return json_decref(a), -ENOMEM;
	}
	return reply_json(reply, 200, a);
}

/* ---- the host doctor ---- */

/* GET /v1/diagnostics: every check, read-only, any token. */
static int get_diagnostics(RestRequest *req, RestReply *reply)
{
	static const char *const query[] = { NULL };
	_cleanup_free_ Diagnosis *d = malloc(sizeof(*d));
	json_t *checks;

	if (check_query(req, reply, query))
		return REST_REPLIED;
	if (!d)
		return -ENOMEM;
	doctor_diagnose(req->manager, d);
	checks = json_array();
	for (size_t i = 0; checks && i < d->n_checks; i++) {
		const Check *c = &d->checks[i];

		if (json_array_append_new(checks, json_pack("{s:s, s:s, s:s, s:s?}", "id", c->id, "state",
							    check_state_to_string(c->state), "seen", c->seen, "fix",
							    *c->fix ? c->fix : NULL)) < 0)
			return json_decref(checks), -ENOMEM;
	}
	return reply_json(reply, 200, checks ? json_pack("{s:s, s:o}", "state", check_state_to_string(d->worst),
							 "checks", checks) : NULL);
}

/* ---- the capacity planner ---- */

/* POST /v1/plan {"vgpus": [{"type", "count"}...], "parent"}: read-only, any token. */
static int post_plan(RestRequest *req, RestReply *reply)
{
	static const Member members[] = { { "vgpus", MEMBER_ARRAY, true }, { "parent", MEMBER_STRING, false } };
	json_t *v[ELEMENTSOF(members)] = {}, *item;
	PlanAsk asks[PLAN_MAX_KINDS];
	_cleanup_free_ HostPlan *plan = NULL;
	GvtError e = {};
	size_t i;
	int r;

	r = body_members(req, reply, members, ELEMENTSOF(members), v);
	if (r != 0)
		return r < 0 ? r : REST_REPLIED;
	if (!isempty(member_string(v[1])) && !find_parent(req, reply, member_string(v[1]), "parent"))
		return REST_REPLIED;
	if (json_array_size(v[0]) > PLAN_MAX_KINDS)
		return rest_problem(reply, 400, "InvalidArgument", "vgpus", "At most %d kinds of vGPUs in a plan",
				    PLAN_MAX_KINDS);
	json_array_foreach(v[0], i, item) {
		json_t *type = json_object_get(item, "type"), *count = json_object_get(item, "count");

		if (!json_is_object(item) || json_object_size(item) != 1u + !!count || !json_is_string(type) ||
		    (count && (!json_is_integer(count) || json_integer_value(count) < 1 ||
			       json_integer_value(count) > PLAN_MAX_VGPUS)))
			return rest_problem(reply, 400, "InvalidArgument", "vgpus",
					    "vgpus[%zu] must be {\"type\": a type's name, \"count\": 1 to %d (default 1)}",
					    i, PLAN_MAX_VGPUS);
		asks[i] = (PlanAsk) { json_string_value(type), count ? (unsigned) json_integer_value(count) : 1 };
	}
	plan = malloc(sizeof(*plan));
	if (!plan)
		return -ENOMEM;
	r = plan_host(req->manager, member_string(v[1]), asks, json_array_size(v[0]), plan, &e);
	if (r < 0)
		return reply_field_error(reply, "vgpus", r, &e);
	return reply_json(reply, 200, rest_json_plan(plan));
}

/* ---- vGPUs ---- */

static int validate_filter(RestRequest *req, RestReply *reply, const char *key, const char **ret)
{
	GvtError e = {};
	int r;

	*ret = rest_request_query(req, key);
	if (!*ret)
		return 0;
	if (streq(key, "owner"))
		r = validate_owner(*ret, &e);
	else if (streq(key, "state"))
		r = streq(*ret, "active") || streq(*ret, "defined") ? 0 :
			gvt_error_set(&e, GVT_ERROR_INVALID_ARGUMENT, "state must be \"active\" or \"defined\"");
	else
		r = validate_name(key, *ret, &e);
	return r < 0 ? reply_field_error(reply, key, r, &e) ?: 1 : 0;
}

static json_t *list_all(Manager *m)
{
	return rest_json_vgpus(m, NULL, NULL, NULL, NULL);
}

/* GET /v1/vgpus: running vGPUs and stopped definitions, as D-Bus's ListVGPUs and ListDefinitions together. */
static int get_vgpus(RestRequest *req, RestReply *reply)
{
	static const char *const query[] = { "parent", "type", "owner", "state", NULL };
	const char *f[4];

	if (check_query(req, reply, query))
		return REST_REPLIED;
	for (size_t i = 0; i < ELEMENTSOF(f); i++)
		if (validate_filter(req, reply, query[i], &f[i]) != 0)
			return REST_REPLIED;
	if (!f[0] && !f[1] && !f[2] && !f[3]) {
		/* The listing clients poll: serialized once per change of the core's state. */
		int r = rest_reply_cached(reply, req->listing, req->manager, list_all);

		return r < 0 ? r : REST_REPLIED;
	}
	return reply_json(reply, 200, rest_json_vgpus(req->manager, f[0], f[1], f[2], f[3]));
}

/* The {uuid} of the path, normalized; else a reply. */
static int path_uuid(RestRequest *req, RestReply *reply, char id[GVT_UUID_STRING_MAX])
{
	GvtError e = {};
	int r;

	r = validate_uuid(req->param, id, &e);
	return r < 0 ? reply_field_error(reply, "uuid", r, &e) ?: 1 : 0;
}

/* 200 (or status) with the vGPU as it is now, running or defined. */
static int reply_vgpu(RestRequest *req, RestReply *reply, unsigned status, const char *id)
{
	json_t *o;
	GvtError e = {};
	int r;

	o = rest_json_vgpu_by_uuid(req->manager, id);
	if (!o)
		return rest_problem_from_error(reply, gvt_error_set(&e, GVT_ERROR_NOT_FOUND,
				"No vGPU or definition %s: list them with GET /v1/vgpus", id), &e);
	r = reply_json(reply, status, o);
	snprintf(reply->location, sizeof(reply->location), "/v1/vgpus/%s", id);
	return r;
}

static int get_vgpu(RestRequest *req, RestReply *reply)
{
	char id[GVT_UUID_STRING_MAX];

	if (path_uuid(req, reply, id) != 0)
		return REST_REPLIED;
	return reply_vgpu(req, reply, 200, id);
}

/* "attrs": [{"name": N, "value": V}, …] into *ret (the strings point into the body). */
static int parse_attrs(json_t *a, RestReply *reply, Attr **ret, size_t *ret_n)
{
	_cleanup_free_ Attr *attrs = NULL;
	json_t *item;
	size_t i;

	*ret_n = 0;
	if (!a)
		return 0;
	attrs = calloc(json_array_size(a) + 1, sizeof(Attr));
	if (!attrs)
		return -ENOMEM;
	json_array_foreach(a, i, item) {
		const char *name = NULL, *value = NULL;

		if (json_is_object(item) && json_object_size(item) == 2) {
			name = json_string_value(json_object_get(item, "name"));
			value = json_string_value(json_object_get(item, "value"));
		}
		if (!name || !value)
			return rest_problem(reply, 400, "InvalidArgument", "attrs",
					    "attrs[%zu] must be {\"name\": STRING, \"value\": STRING}", i) ?: 1;
		attrs[i] = (Attr) { .name = (char *) name, .value = (char *) value };
	}
	*ret_n = json_array_size(a);
	*ret = TAKE_PTR(attrs);
	return 0;
}

enum { P_TYPE, P_PARENT, P_UUID, P_OWNER, P_PERSISTENT, P_AUTOSTART, P_START, P_ATTRS, _P_MAX };

/*
 * POST /v1/vgpus {"type", "parent"?, "uuid"?, "owner"?, "attrs"?, "persistent"?,
 * "autostart"?, "start"?}: a transient create (CreateVGPUEx) or, with
 * "persistent": true, a define (DefineVGPU), started at once with "start":
 * true (StartVGPU). 201 new, 200 the same request retried, 409 a different
 * one under the same uuid. The owner is the caller unless given; acting for
 * another owner takes more (the core says).
 */
static int uuid_reply(RestRequest *req, RestReply *reply, unsigned status, const char *id)
{
	if (status == 204) {
		rest_reply_done(reply);
		reply->status = 204;
		return REST_REPLIED;
	}
	return reply_vgpu(req, reply, status, id);
}

typedef struct UuidCall {
	RestRequest *req;
	unsigned status;
	char id[GVT_UUID_STRING_MAX];
} UuidCall;

static void on_uuid_done(Manager *m, int r, const GvtError *e, void *userdata)
{
	UuidCall *c = userdata;

	if (r < 0)
		(void) rest_problem_from_error(&c->req->reply, r, e);
	else
		(void) uuid_reply(c->req, &c->req->reply, c->status, c->id);
	rest_request_resume(c->req);
	free(c);
}

/* After a call that may end later (c its context): its reply now, or the request suspended until done. */
static int uuid_call_end(RestRequest *req, RestReply *reply, UuidCall *c, int r, const GvtError *e)
{
	char id[GVT_UUID_STRING_MAX];
	unsigned status = c->status;

	if (r == 0)
		return req->handled ? REST_REPLIED : REST_SUSPENDED;
	strcpy(id, c->id);
	free(c);
	return r < 0 ? rest_problem_from_error(reply, r, e) : uuid_reply(req, reply, status, id);
}

static int post_vgpus(RestRequest *req, RestReply *reply)
{
	static const Member members[_P_MAX] = {
		[P_TYPE] = { "type", MEMBER_STRING, true },
		[P_PARENT] = { "parent", MEMBER_STRING, false },
		[P_UUID] = { "uuid", MEMBER_STRING, false },
		[P_OWNER] = { "owner", MEMBER_STRING, false },
		[P_PERSISTENT] = { "persistent", MEMBER_BOOL, false },
		[P_AUTOSTART] = { "autostart", MEMBER_BOOL, false },
		[P_START] = { "start", MEMBER_BOOL, false },
		[P_ATTRS] = { "attrs", MEMBER_ARRAY, false },
	};
	json_t *v[_P_MAX] = {};
	_cleanup_free_ Attr *attrs = NULL;
	size_t n_attrs = 0;
	char id[GVT_UUID_STRING_MAX], me[OWNER_NAME_MAX + 1] = "";
	const char *owner, *s;
	GvtError e = {};
	bool created = false, allowed, persistent;
	Action action;
	VgpuSpec spec;
	UuidCall *c;
	int r;

	r = body_members(req, reply, members, _P_MAX, v);
	if (r == 0)
		r = parse_attrs(v[P_ATTRS], reply, &attrs, &n_attrs);
	if (r != 0)
		return r < 0 ? r : REST_REPLIED;
	for (size_t i = P_TYPE; i <= P_OWNER; i++) {
		s = member_string(v[i]);
		if (!s || (i > P_TYPE && !*s))
			continue;
		r = i == P_TYPE || i == P_PARENT ? validate_name(members[i].name, s, &e) :
		    i == P_UUID ? validate_uuid(s, id, &e) : validate_owner(s, &e);
		if (r < 0)
			return reply_field_error(reply, members[i].name, r, &e);
	}
	r = validate_attrs(attrs, n_attrs, &e);
	if (r < 0)
		return reply_field_error(reply, "attrs", r, &e);
	persistent = json_is_true(v[P_PERSISTENT]);
	for (size_t i = P_AUTOSTART; i <= P_START; i++)
		if (v[i] && !persistent)
			return rest_problem(reply, 400, "InvalidArgument", members[i].name,
					    "\"%s\" needs \"persistent\": true", members[i].name);

	r = auth_owner_and_action(&req->caller, member_string(v[P_OWNER]), me, &owner, &action, &e);
	if (r < 0)
		return reply_field_error(reply, "owner", r, &e);
	r = authorize(req, reply, action, &allowed);
	if (!allowed)
		return r;

	spec = (VgpuSpec) { .parent = member_string(v[P_PARENT]), .type = member_string(v[P_TYPE]),
			    .uuid = member_string(v[P_UUID]), .owner = owner,
			    .autostart = json_is_true(v[P_AUTOSTART]), .start = json_is_true(v[P_START]),
			    .attrs = attrs, .n_attrs = n_attrs };
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	*c = (UuidCall) { .req = req, .status = 201 };
	if (!persistent)
		r = transient_create_or_match(req->manager, &spec, c->id, on_uuid_done, c, &e);
	else
		r = definitions_define_or_match(req->manager, &spec, c->id, &created, on_uuid_done, c, &e);
	/* done runs later, never from within the call: the status may still change. */
	if (persistent ? !created : r > 0)
		c->status = 200;
	return uuid_call_end(req, reply, c, r, &e);
}

/* The path's UUID into id, an empty body, the caller authorized for it: *allowed, else what to return. */
static int uuid_call_begin(RestRequest *req, RestReply *reply, char id[GVT_UUID_STRING_MAX], bool *allowed)
{
	*allowed = false;
	if (path_uuid(req, reply, id) != 0)
		return REST_REPLIED;
	if (req->body && !(json_is_object(req->body) && json_object_size(req->body) == 0))
		return rest_problem(reply, 400, "InvalidArgument", NULL, "The body, if any, must be {}");
	return authorize(req, reply, auth_action_for_uuid(req->manager, &req->caller, id), allowed);
}

/*
 * The calls on one vGPU ({uuid} in the path) that D-Bus makes with a UUID:
 * authorized as its owner's (ManageOwn) or anyone's (Manage) vGPU, then op,
 * which may wait for the kernel (a removal it holds): the request waits,
 * others go on.
 */
static int uuid_call_async(RestRequest *req, RestReply *reply,
			   int (*op)(Manager *, const char *, OperationDone, void *, GvtError *), unsigned status)
{
	GvtError e = {};
	UuidCall *c;
	bool allowed;
	int r;

	char id[GVT_UUID_STRING_MAX];

	r = uuid_call_begin(req, reply, id, &allowed);
	if (!allowed)
		return r;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	*c = (UuidCall) { .req = req, .status = status };
	strcpy(c->id, id);
	r = op(req->manager, id, on_uuid_done, c, &e);
	return uuid_call_end(req, reply, c, r, &e);
}

/* DELETE: a transient vGPU is removed, a stopped definition undefined; a running definition is Busy. */
static int delete_vgpu(RestRequest *req, RestReply *reply)
{
	return uuid_call_async(req, reply, transient_delete, 204);
}

static int post_start(RestRequest *req, RestReply *reply)
{
	return uuid_call_async(req, reply, definitions_start_async, 200);
}

static int post_stop(RestRequest *req, RestReply *reply)
{
	return uuid_call_async(req, reply, definitions_stop, 200);
}

/* PATCH /v1/vgpus/{uuid} {"type"?, "autostart"?, "attrs"?}: ModifyDefinition of a stopped definition. */
static int patch_vgpu(RestRequest *req, RestReply *reply)
{
	static const Member members[] = {
		{ "type", MEMBER_STRING, false },
		{ "autostart", MEMBER_BOOL, false },
		{ "attrs", MEMBER_ARRAY, false },
	};
	json_t *v[ELEMENTSOF(members)] = {};
	_cleanup_free_ Attr *attrs = NULL;
	char id[GVT_UUID_STRING_MAX];
	size_t n_attrs = 0;
	GvtError e = {};
	bool allowed;
	int r;

	if (path_uuid(req, reply, id) != 0)
		return REST_REPLIED;
	r = body_members(req, reply, members, ELEMENTSOF(members), v);
	if (r == 0)
		r = parse_attrs(v[2], reply, &attrs, &n_attrs);
	if (r != 0)
		return r < 0 ? r : REST_REPLIED;
	if (v[0] && (r = validate_name("type", member_string(v[0]), &e)) < 0)
		return reply_field_error(reply, "type", r, &e);
	if ((r = validate_attrs(attrs, n_attrs, &e)) < 0)
		return reply_field_error(reply, "attrs", r, &e);
	r = authorize(req, reply, auth_action_for_uuid(req->manager, &req->caller, id), &allowed);
	if (!allowed)
		return r;
	r = definitions_modify(req->manager, id, &(DefinitionChange) {
			.type = member_string(v[0]), .autostart = v[1] ? json_is_true(v[1]) : -1,
			.set_attrs = v[2] != NULL, .attrs = attrs, .n_attrs = n_attrs }, &e);
	if (r < 0)
		return rest_problem_from_error(reply, r, &e);
	return reply_vgpu(req, reply, 200, id);
}

/* ---- quotas ---- */

/* GET /v1/definitions: every file in /etc/mdevctl.d, as D-Bus's ListDefinitions and ListUnreadableDefinitions. */
static int get_definitions(RestRequest *req, RestReply *reply)
{
	static const char *const query[] = { NULL };

	if (check_query(req, reply, query))
		return REST_REPLIED;
	return reply_json(reply, 200, rest_json_definitions(req->manager));
}

static int get_quotas(RestRequest *req, RestReply *reply)
{
	_cleanup_free_ QuotaRow *rows = NULL;
	size_t n = 0;
	json_t *a;
	int r;

	r = definitions_quota_rows(req->manager, &rows, &n);
	if (r < 0)
		return r;
	a = json_array();
	for (size_t i = 0; a && i < n; i++)
		if (json_array_append_new(a, rest_json_quota_row(&rows[i])) < 0)
			return json_decref(a), -ENOMEM;
	return reply_json(reply, 200, a);
}

/* The {owner} of the path: a user name or @default; else a reply. */
static int path_owner(RestRequest *req, RestReply *reply)
{
	GvtError e = {};
	int r;

	if (streq(req->param, QUOTA_DEFAULT))
		return 0;
	r = validate_owner(req->param, &e);
	return r < 0 ? reply_field_error(reply, "owner", r, &e) ?: 1 : 0;
}

static int get_quota(RestRequest *req, RestReply *reply)
{
	if (path_owner(req, reply) != 0)
		return REST_REPLIED;
	return reply_json(reply, 200, rest_json_quota(req->manager, req->param));
}

/* PUT /v1/quotas/{owner} {"limits": {"vgpus": N, …}}: SetQuota; no limit at all removes the entry. */
static int put_quota(RestRequest *req, RestReply *reply)
{
	static const Member members[] = { { "limits", MEMBER_OBJECT, true } };
	json_t *v[ELEMENTSOF(members)] = {}, *value;
	const char *key;
	Quota q = {};
	GvtError e = {};
	bool allowed;
	int r;

	if (path_owner(req, reply) != 0)
		return REST_REPLIED;
	r = body_members(req, reply, members, ELEMENTSOF(members), v);
	if (r != 0)
		return r < 0 ? r : REST_REPLIED;
	snprintf(q.owner, sizeof(q.owner), "%s", req->param);
	json_object_foreach(v[0], key, value) {
		/* An unknown name first: "Unknown limit" whatever its value. */
		if (quota_set_limit(&q, key, 0, &e) < 0)
			return rest_problem(reply, 400, "InvalidArgument", "limits", "%s", e.message);
		if (!json_is_integer(value) || json_integer_value(value) < 0)
			return rest_problem(reply, 400, "InvalidArgument", "limits",
					    "Limit \"%s\" must be a non-negative integer", key);
		(void) quota_set_limit(&q, key, (uint64_t) json_integer_value(value), NULL);
	}
	r = authorize(req, reply, ACTION_SET_QUOTAS, &allowed);
	if (!allowed)
		return r;
	r = quotas_set(req->manager, &q, &e);
	if (r < 0)
		return rest_problem_from_error(reply, r, &e);
	return get_quota(req, reply);
}

static int get_events(RestRequest *req, RestReply *reply)
{
	return REST_STREAM;
}

/* GET /metrics: Prometheus' text format, read-only, any token. */
static int get_metrics(RestRequest *req, RestReply *reply)
{
	static const char *const query[] = { NULL };

	if (check_query(req, reply, query))
		return REST_REPLIED;
	return rest_metrics_reply(req->metrics, req->manager, reply);
}

/* ---- the table ---- */

#define GET(h) [0] = (h)
#define POST(h) [1] = (h)
#define PUT(h) [2] = (h)
#define PATCH(h) [3] = (h)
#define DELETE(h) [4] = (h)

static const RestRoute routes[] = {
	{ "/v1", { GET(get_root) } },
	{ "/v1/health", { GET(get_health) } },
	{ "/v1/host", { GET(get_host) } },
	{ "/v1/host/modules", { POST(post_modules) } },
	{ "/v1/parents", { GET(get_parents) } },
	{ "/v1/parents/{id}", { GET(get_parent) } },
	{ "/v1/types", { GET(get_types) } },
	{ "/v1/plan", { POST(post_plan) } },
	{ "/v1/diagnostics", { GET(get_diagnostics) } },
	{ "/v1/vgpus", { GET(get_vgpus), POST(post_vgpus) } },
	{ "/v1/vgpus/{uuid}", { GET(get_vgpu), PATCH(patch_vgpu), DELETE(delete_vgpu) } },
	{ "/v1/vgpus/{uuid}/start", { POST(post_start) } },
	{ "/v1/vgpus/{uuid}/stop", { POST(post_stop) } },
	{ "/v1/definitions", { GET(get_definitions) } },
	{ "/v1/quotas", { GET(get_quotas) } },
	{ "/v1/quotas/{owner}", { GET(get_quota), PUT(put_quota) } },
	{ "/v1/events", { GET(get_events) } },
	{ "/metrics", { GET(get_metrics) } },
};

/* Matches path against pattern; *ret_param points at the {…} segment in path. */
static bool route_matches(const char *pattern, const char *path, const char **ret_param)
{
	const char *brace = strchr(pattern, '{');
	size_t prefix = brace ? (size_t) (brace - pattern) : strlen(pattern);
	const char *seg, *end, *rest;

	if (!brace)
		return streq(pattern, path);
	if (strncmp(pattern, path, prefix) != 0)
		return false;
	seg = path + prefix;
	end = strchrnul(seg, '/');
	rest = strchr(brace, '}') + 1;
	if (end == seg || !streq(rest, end))
		return false;
	*ret_param = seg;
	return true;
}

int rest_route_find(const char *path, RestMethod method, const RestRoute **ret_route, const char **ret_param,
		    unsigned *ret_allow)
{
	*ret_allow = 0;
	for (size_t i = 0; i < ELEMENTSOF(routes); i++) {
		const char *param = NULL;
		unsigned bit = 0;

		if (!route_matches(routes[i].pattern, path, &param))
			continue;
		for (unsigned b = 0; b < ELEMENTSOF(routes[i].handlers); b++)
			if (routes[i].handlers[b])
				*ret_allow |= 1u << b;
		while (bit < ELEMENTSOF(routes[i].handlers) && (1u << bit) != (unsigned) method)
			bit++;
		if (bit == ELEMENTSOF(routes[i].handlers) || !routes[i].handlers[bit])
			return -EOPNOTSUPP;
		*ret_route = &routes[i];
		*ret_param = param;
		return 0;
	}
	return -ENOENT;
}

int rest_route_dispatch(RestRequest *req)
{
	unsigned bit = 0;

	while ((1u << bit) != (unsigned) req->method)
		bit++;
	if (req->param && req->param != req->param_buf) {
		snprintf(req->param_buf, sizeof(req->param_buf), "%.*s", (int) strcspn(req->param, "/"), req->param);
		req->param = req->param_buf;
	}
	return req->route->handlers[bit](req, &req->reply);
}
