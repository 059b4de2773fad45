// SPDX-License-Identifier: GPL-2.0-only
/*
 * The resources under /v1 and their handlers. A handler checks its input with
 * the core's validators, asks the core to authorize, calls the core and
 * encodes the answer; errors go through rest-problem.c. Same order as the
 * D-Bus methods: malformed input is reported as such even to callers who may
 * not act.
 */
#include <errno.h>

#include "lifecycle.h"
#include "owners.h"
#include "manager.h"
#include "rest.h"

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

/*
 * Reads the body's members into strings[i] for names[i]; 400 naming the
 * member for one that is unknown or not a string, and for a missing
 * required one (names[i] starting with '!').
 */
static int body_strings(RestRequest *req, RestReply *reply, const char *const *names, const char **strings)
{
	const char *key;
	json_t *value;

	if (!json_is_object(req->body))
		return rest_problem(reply, 400, "InvalidArgument", NULL, "The body must be a JSON object") ?: 1;
	json_object_foreach(req->body, key, value) {
		size_t i;

		for (i = 0; names[i]; i++)
			if (streq(key, names[i] + (names[i][0] == '!')))
				break;
		if (!names[i])
			return rest_problem(reply, 400, "InvalidArgument", key, "Unknown member \"%.64s\"", key) ?: 1;
		if (!json_is_string(value))
			return rest_problem(reply, 400, "InvalidArgument", key, "Member \"%s\" must be a string",
					    key) ?: 1;
		strings[i] = json_string_value(value);
	}
	for (size_t i = 0; names[i]; i++)
		if (names[i][0] == '!' && !strings[i])
			return rest_problem(reply, 400, "InvalidArgument", names[i] + 1, "Member \"%s\" is required",
					    names[i] + 1) ?: 1;
	return 0;
}

/* ---- / ---- */

static int get_root(RestRequest *req, RestReply *reply)
{
	return reply_json(reply, 200, json_pack("{s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s}}", "version", PROJECT_VERSION,
						"links", "host", "/v1/host", "parents", "/v1/parents", "types",
						"/v1/types", "vgpus", "/v1/vgpus", "events", "/v1/events", "health",
						"/v1/health"));
}

static int get_health(RestRequest *req, RestReply *reply)
{
	Manager *m = req->manager;

	return reply_json(reply, 200, json_pack("{s:b, s:b, s:s}", "live", 1, "ready",
						m->modules.state == MODULES_READY && m->inventory.n_parents > 0,
						"modules", modules_state_to_string(m->modules.state)));
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
	static const char *const names[] = { "!action", NULL };
	const char *strings[1] = {};
	Manager *m = req->manager;
	GvtError e = {};
	bool load, allowed;
	int r;

	r = body_strings(req, reply, names, strings);
	if (r != 0)
		return r < 0 ? r : REST_REPLIED;
	if (!streq(strings[0], "load") && !streq(strings[0], "unload"))
		return rest_problem(reply, 400, "InvalidArgument", "action", "action must be \"load\" or \"unload\"");
	load = streq(strings[0], "load");
	if ((load && m->modules.state == MODULES_READY) ||
	    (!load && (m->modules.state == MODULES_UNLOADED || m->modules.state == MODULES_IDLE)))
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

	r = lifecycle_validate_name("parent", name, &e);
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

	if (rest_request_check_query(req, query) || (parent && !find_parent(req, reply, parent, "parent")))
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

/* ---- vGPUs ---- */

static int get_vgpus(RestRequest *req, RestReply *reply)
{
	static const char *const query[] = { "parent", "type", "state", NULL };
	const Inventory *inv = &req->manager->inventory;
	const char *parent = rest_request_query(req, "parent"), *type = rest_request_query(req, "type"),
		   *state = rest_request_query(req, "state");
	GvtError e = {};
	json_t *a;
	int r = 0;

	if (rest_request_check_query(req, query))
		return REST_REPLIED;
	if (parent)
		r = lifecycle_validate_name("parent", parent, &e);
	if (r < 0)
		return reply_field_error(reply, "parent", r, &e);
	if (type)
		r = lifecycle_validate_name("type", type, &e);
	if (r < 0)
		return reply_field_error(reply, "type", r, &e);
	a = json_array();
	for (size_t i = 0; a && i < inv->n_vgpus; i++) {
		const Vgpu *v = inv->vgpus[i];

		if ((parent && !streq(parent, v->parent)) || (type && !streq(type, v->type)) ||
		    (state && !streq(state, vgpu_state_to_string(v->state))))
			continue;
		if (json_array_append_new(a, rest_json_vgpu(req->manager, v)) < 0)
			return json_decref(a), -ENOMEM;
	}
	return reply_json(reply, 200, a);
}

static const Vgpu *find_vgpu(RestRequest *req, RestReply *reply)
{
	char id[GVT_UUID_STRING_MAX];
	GvtError e = {};
	const Vgpu *v;
	int r;

	r = lifecycle_validate_uuid(req->param, id, &e);
	if (r < 0) {
		(void) reply_field_error(reply, "uuid", r, &e);
		return NULL;
	}
	v = inventory_find_vgpu(&req->manager->inventory, id);
	if (!v)
		(void) rest_problem_from_error(reply, gvt_error_set(&e, GVT_ERROR_NOT_FOUND, "No vGPU %s", id), &e);
	return v;
}

static int get_vgpu(RestRequest *req, RestReply *reply)
{
	const Vgpu *v = find_vgpu(req, reply);

	return v ? reply_json(reply, 200, rest_json_vgpu(req->manager, v)) : REST_REPLIED;
}

/*
 * POST /v1/vgpus {"type", "parent"?, "uuid"?, "owner"?}: 201 new, 200 the same
 * create retried, 409 a different one under the same uuid. The owner is the
 * caller unless given; acting for another owner takes more (the core says).
 */
static int post_vgpus(RestRequest *req, RestReply *reply)
{
	static const char *const names[] = { "!type", "parent", "uuid", "owner", NULL };
	static const char *const fields[] = { "type", "parent", "uuid", "owner" };
	const char *strings[4] = {};
	char id[GVT_UUID_STRING_MAX], me[OWNER_NAME_MAX + 1] = "";
	const char *owner;
	GvtError e = {};
	const Vgpu *v;
	bool created, allowed;
	int r;

	r = body_strings(req, reply, names, strings);
	if (r != 0)
		return r < 0 ? r : REST_REPLIED;
	for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
		if (!strings[i] || (i > 0 && !*strings[i]))
			continue;
		r = i == 0 || i == 1 ? lifecycle_validate_name(fields[i], strings[i], &e) :
		    i == 2 ? lifecycle_validate_uuid(strings[i], id, &e) : lifecycle_validate_owner(strings[i], &e);
		if (r < 0)
			return reply_field_error(reply, fields[i], r, &e);
	}
	if (auth_caller_name(&req->caller, me) < 0)
		me[0] = '\0';  /* a uid without a name owns nothing; it may act for others if authorized */
	owner = !isempty(strings[3]) ? strings[3] : me;
	r = authorize(req, reply, isempty(owner) ? ACTION_MANAGE_VGPUS : auth_action_for_owner(&req->caller, owner),
		      &allowed);
	if (!allowed)
		return r;

	r = lifecycle_create_or_match(req->manager, &(VgpuSpec) { .parent = strings[1], .type = strings[0],
								   .uuid = strings[2], .owner = owner },
				      id, &created, &e);
	if (r < 0)
		return rest_problem_from_error(reply, r, &e);
	v = inventory_find_vgpu(&req->manager->inventory, id);
	if (!v)
		return rest_problem_from_error(reply, gvt_error_set(&e, GVT_ERROR_FAILED,
				"vGPU %s was created but is gone again", id), &e);
	r = reply_json(reply, created ? 201 : 200, rest_json_vgpu(req->manager, v));
	snprintf(reply->location, sizeof(reply->location), "/v1/vgpus/%s", id);
	return r;
}

static int delete_vgpu(RestRequest *req, RestReply *reply)
{
	char id[GVT_UUID_STRING_MAX];
	GvtError e = {};
	bool allowed;
	int r;

	r = lifecycle_validate_uuid(req->param, id, &e);
	if (r < 0)
		return reply_field_error(reply, "uuid", r, &e);
	r = authorize(req, reply, auth_action_for_owner(&req->caller, manager_owner_of(req->manager, id)), &allowed);
	if (!allowed)
		return r;
	r = lifecycle_remove(req->manager, id, &e);
	if (r < 0)
		return rest_problem_from_error(reply, r, &e);
	rest_reply_done(reply);
	reply->status = 204;
	return REST_REPLIED;
}

static int get_events(RestRequest *req, RestReply *reply)
{
	return REST_STREAM;
}

/* ---- the table ---- */

#define GET(h) [0] = (h)
#define POST(h) [1] = (h)
#define DELETE(h) [4] = (h)

static const RestRoute routes[] = {
	{ "/v1", { GET(get_root) } },
	{ "/v1/health", { GET(get_health) } },
	{ "/v1/host", { GET(get_host) } },
	{ "/v1/host/modules", { POST(post_modules) } },
	{ "/v1/parents", { GET(get_parents) } },
	{ "/v1/parents/{id}", { GET(get_parent) } },
	{ "/v1/types", { GET(get_types) } },
	{ "/v1/vgpus", { GET(get_vgpus), POST(post_vgpus) } },
	{ "/v1/vgpus/{uuid}", { GET(get_vgpu), DELETE(delete_vgpu) } },
	{ "/v1/events", { GET(get_events) } },
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
	return req->route->handlers[bit](req, &req->reply);
}
