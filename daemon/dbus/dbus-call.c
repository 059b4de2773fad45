// SPDX-License-Identifier: GPL-2.0-only
#include <assert.h>
#include <errno.h>

#include "dbus-call.h"
#include "gvt-dbus.h"
#include "log.h"
#include "manager.h"
#include "validate.h"

/*
 * Unique names of root's connections. The bus daemon answers "who is this"
 * with a synchronous round trip per call (GetConnectionCredentials: its
 * SO_PEERCRED of the connection, which never changes), and a unique name is
 * never given out twice while the bus runs; the cache is emptied when gvtd
 * reconnects.
 */
static struct {
	char names[32][64];
	unsigned next;
} root_callers;

static bool root_caller_known(const char *name)
{
	for (size_t i = 0; name && i < ELEMENTSOF(root_callers.names); i++)
		if (streq(root_callers.names[i], name))
			return true;
	return false;
}

static void root_caller_remember(const char *name)
{
	if (!name || strlen(name) >= sizeof(root_callers.names[0]))
		return;
	strcpy(root_callers.names[root_callers.next++ % ELEMENTSOF(root_callers.names)], name);
}

void bus_calls_forget_callers(void)
{
	memset(&root_callers, 0, sizeof(root_callers));
}

void bus_caller_done(BusCaller *c)
{
	c->creds = sd_bus_creds_unref(c->creds);
}

int bus_caller_get(sd_bus_message *message, BusCaller *ret)
{
	_cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
	const char *sender = sd_bus_message_get_sender(message);
	Caller *c = &ret->caller;
	const gid_t *groups = NULL;
	int r, n;

	assert(message);
	*ret = (BusCaller) { .caller = { .bus_name = sender } };
	if (root_caller_known(sender))
		return 0;
	/* The uid comes from the bus itself. Groups need /proc/PID/status (augmenting), a dozen
	 * syscalls per call: root may do everything, so only others' groups are asked for. */
	r = sd_bus_query_sender_creds(message, SD_BUS_CREDS_EUID, &creds);
	if (r < 0)
		return r;
	r = sd_bus_creds_get_euid(creds, &c->uid);
	if (r >= 0 && c->uid == 0) {
		root_caller_remember(sender);
		return 0;
	}
	creds = sd_bus_creds_unref(creds);
	r = sd_bus_query_sender_creds(message,
				      SD_BUS_CREDS_EUID | SD_BUS_CREDS_EGID | SD_BUS_CREDS_SUPPLEMENTARY_GIDS |
				      SD_BUS_CREDS_AUGMENT, &creds);
	if (r < 0)
		return r;
	r = sd_bus_creds_get_euid(creds, &c->uid);
	if (r < 0)
		return r;
	r = sd_bus_creds_get_egid(creds, &c->gid);
	if (r < 0)
		return r;
	n = sd_bus_creds_get_supplementary_gids(creds, &groups);
	if (n > 0) {
		c->groups = groups;
		c->n_groups = n;
	}
	ret->creds = TAKE_PTR(creds);
	return 0;
}

/*
 * A polkit question in flight or answered, for one method call. The answer
 * re-dispatches the call (sd_bus_enqueue_for_read), whose handler runs again
 * from the start and finds the answer here, as systemd's bus-polkit does.
 */
struct AuthQuery {
	BusCalls *calls;
	sd_bus_message *request;
	Action action;
	bool done;
	int result;
	GvtError error;
	AuthQuery *next;
};

static void auth_query_unlink(BusCalls *calls, AuthQuery *q)
{
	for (AuthQuery **p = &calls->auth_queries; *p; p = &(*p)->next)
		if (*p == q) {
			*p = q->next;
			break;
		}
	sd_bus_message_unref(q->request);
	free(q);
}

void bus_calls_done(BusCalls *calls)
{
	while (calls->auth_queries)
		auth_query_unlink(calls, calls->auth_queries);
}

static void on_authorized(int r, const GvtError *e, void *userdata)
{
	AuthQuery *q = userdata;
	BusCalls *calls = q->calls;

	q->done = true;
	q->result = r;
	if (e)
		q->error = *e;
	/* The bus, or a direct connection on the private socket. */
	sd_bus *bus = sd_bus_message_get_bus(q->request);

	if (!bus || sd_bus_is_open(bus) <= 0) {
		/* The connection it came on is gone; so is the caller. */
		auth_query_unlink(calls, q);
		return;
	}
	r = sd_bus_enqueue_for_read(bus, q->request);
	if (r < 0) {
		log_warning_errno(r, "Failed to resume a call after polkit answered, dropping it: %m");
		auth_query_unlink(calls, q);
	}
}

int bus_authorize(BusCalls *calls, sd_bus_message *message, const Caller *c, Action action, bool interactive,
		  sd_bus_error *error)
{
	AuthQuery *q;
	GvtError e = {};
	int r;

	assert(calls);
	assert(c);
	for (q = calls->auth_queries; q; q = q->next)
		if (q->request == message)
			break;
	if (q && q->done && q->action == action) {
		r = q->result;
		e = q->error;
		auth_query_unlink(calls, q);
		return r < 0 ? bus_error_from_gvt(error, r, &e) : 1;
	}
	if (q && !q->done)
		return 0;
	if (q)
		/* The target changed hands meanwhile: ask again for the action it needs now. */
		auth_query_unlink(calls, q);

	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	*q = (AuthQuery) { .calls = calls, .request = sd_bus_message_ref(message), .action = action,
			   .next = calls->auth_queries };
	r = auth_authorize(calls->manager, c, action, interactive, on_authorized, q, &e);
	if (r != 0) {
		sd_bus_message_unref(q->request);
		free(q);
		return r < 0 ? bus_error_from_gvt(error, r, &e) : 1;
	}
	calls->auth_queries = q;
	return 0;
}

/*
 * Readable paths: /org/gvtd1/vgpu/<uuid with _ for ->, /org/gvtd1/parent/<name
 * with _ for every other character>. Lookups compare the encoded forms.
 */
static int object_path(const char *prefix, const char *name, char **ret)
{
	char *p;
	size_t n = strlen(prefix);

	p = malloc(n + 1 + strlen(name) + 1);
	if (!p)
		return -ENOMEM;
	strcpy(p, prefix);
	p[n++] = '/';
	for (const char *c = name; *c; c++)
		p[n++] = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ? *c : '_';
	p[n] = '\0';
	*ret = p;
	return 0;
}

int bus_vgpu_path(const char *uuid, char **ret)
{
	return object_path(GVT_VGPU_PREFIX, uuid, ret);
}

int bus_parent_path(const char *name, char **ret)
{
	return object_path(GVT_PARENT_PREFIX, name, ret);
}

/* path_of: bus_vgpu_path or bus_parent_path. */
bool bus_path_is(const char *path, int (*path_of)(const char *, char **), const char *name)
{
	_cleanup_free_ char *p = NULL;

	return path_of(name, &p) >= 0 && streq(p, path);
}

int bus_enumerate(char ***nodes, size_t n, const char *(*name)(const Inventory *, size_t),
		  int (*path)(const char *, char **), const Inventory *inv)
{
	char **l = calloc(n + 1, sizeof(char *));

	if (!l)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		int r = path(name(inv, i), &l[i]);

		if (r < 0) {
			for (size_t j = 0; j < i; j++)
				free(l[j]);
			free(l);
			return r;
		}
	}
	*nodes = l;
	return 0;
}

/* A valid UUID (normalized into id) and an authorized caller: 1 to go on, else what the handler returns. */
static int uuid_call_begin(BusCalls *calls, sd_bus_message *message, const char *uuid, bool interactive,
			   char id[GVT_UUID_STRING_MAX], sd_bus_error *error)
{
	_cleanup_(bus_caller_done) BusCaller caller = {};
	GvtError e = {};
	int r;

	r = validate_uuid(uuid, id, &e);
	if (r < 0)
		return bus_error_from_gvt(error, r, &e);
	r = bus_caller_get(message, &caller);
	if (r < 0)
		return r;
	return bus_authorize(calls, message, &caller.caller, auth_action_for_uuid(calls->manager, &caller.caller, id),
			     interactive, error);
}

int bus_uuid_call(BusCalls *calls, sd_bus_message *message, const char *uuid, bool interactive, BusUuidOp op,
		  sd_bus_error *error)
{
	char id[GVT_UUID_STRING_MAX];
	GvtError e = {};
	int r;

	r = uuid_call_begin(calls, message, uuid, interactive, id, error);
	if (r <= 0)
		return r < 0 ? r : 1;
	r = op(calls->manager, id, &e);
	if (r < 0)
		return bus_error_from_gvt(error, r, &e);
	return sd_bus_reply_method_return(message, NULL);
}

struct BusLater {
	sd_bus_message *message;
	BusReplyShape shape;
	char uuid[GVT_UUID_STRING_MAX];
};

BusLater *bus_later_new(sd_bus_message *message, BusReplyShape shape, const char *uuid)
{
	BusLater *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	*l = (BusLater) { .message = sd_bus_message_ref(message), .shape = shape };
	snprintf(l->uuid, sizeof(l->uuid), "%s", strempty(uuid));
	return l;
}

BusLater *bus_later_free(BusLater *l)
{
	if (l) {
		sd_bus_message_unref(l->message);
		free(l);
	}
	return NULL;
}

/* The reply of a call whose operation succeeded, in its shape. */
static int reply_shaped(sd_bus_message *message, BusReplyShape shape, const char *uuid)
{
	_cleanup_free_ char *path = NULL;
	int r;

	if (shape == BUS_REPLY_EMPTY)
		return sd_bus_reply_method_return(message, NULL);
	r = bus_vgpu_path(uuid, &path);
	if (r < 0)
		return r;
	if (shape == BUS_REPLY_PATH)
		return sd_bus_reply_method_return(message, "o", path);
	return sd_bus_reply_method_return(message, "os", path, uuid);
}

void bus_reply_when_done(Manager *m, int r, const GvtError *e, void *userdata)
{
	BusLater *l = userdata;
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;

	if (r >= 0)
		r = reply_shaped(l->message, l->shape, l->uuid);
	else {
		bus_error_from_gvt(&error, r, e);
		r = sd_bus_reply_method_error(l->message, &error);
	}
	if (r < 0)
		log_warning_errno(r, "Failed to reply to %s, ignoring: %m",
				  strempty(sd_bus_message_get_member(l->message)));
	bus_later_free(l);
}

int bus_reply_async(BusCalls *calls, sd_bus_message *message, BusReplyShape shape, const char *uuid,
		    BusAsyncCall call, const void *args, sd_bus_error *error)
{
	char id[GVT_UUID_STRING_MAX] = "";
	GvtError e = {};
	BusLater *l;
	int r;

	/* The reply waits for the kernel: other calls are served meanwhile. */
	l = bus_later_new(message, shape, uuid);
	if (!l)
		return -ENOMEM;
	r = call(calls->manager, args, id, bus_reply_when_done, l, &e);
	if (r < 0) {
		bus_later_free(l);
		return bus_error_from_gvt(error, r, &e);
	}
	if (*id)
		strcpy(l->uuid, id);
	if (r > 0) {
		r = reply_shaped(message, shape, l->uuid);
		bus_later_free(l);
		return r;
	}
	return 1;
}

/* bus_reply_async()'s call for a BusUuidAsyncOp: args is a UuidOp. */
typedef struct UuidOp {
	BusUuidAsyncOp op;
	const char *uuid;
} UuidOp;

static int call_uuid_op(Manager *m, const void *args, char id[GVT_UUID_STRING_MAX], OperationDone done,
			void *userdata, GvtError *e)
{
	const UuidOp *u = args;

	return u->op(m, u->uuid, done, userdata, e);
}

int bus_uuid_call_async(BusCalls *calls, sd_bus_message *message, const char *uuid, bool interactive,
			BusUuidAsyncOp op, bool reply_path, sd_bus_error *error)
{
	char id[GVT_UUID_STRING_MAX];
	int r;

	r = uuid_call_begin(calls, message, uuid, interactive, id, error);
	if (r <= 0)
		return r < 0 ? r : 1;
	return bus_reply_async(calls, message, reply_path ? BUS_REPLY_PATH : BUS_REPLY_EMPTY, id, call_uuid_op,
			       &(UuidOp) { .op = op, .uuid = id }, error);
}

int bus_uuid_method_async(BusCalls *calls, sd_bus_message *message, BusUuidAsyncOp op, bool reply_path,
			  sd_bus_error *error)
{
	const char *uuid;
	int interactive, r;

	r = sd_bus_message_read(message, "sb", &uuid, &interactive);
	if (r < 0)
		return r;
	return bus_uuid_call_async(calls, message, uuid, interactive, op, reply_path, error);
}
