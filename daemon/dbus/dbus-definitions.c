// SPDX-License-Identifier: GPL-2.0-only
/* org.gvtd1.Manager members for definitions, owned creates and quotas. */
#include <errno.h>

#include "dbus.h"
#include "definitions.h"
#include "gvt-dbus.h"
#include "manager.h"
#include "transient.h"

typedef struct AttrList {
	Attr *attrs;
	size_t n;
} AttrList;

static void attr_list_done(AttrList *l)
{
	/* The strings point into the message. */
	free(l->attrs);
}

static int read_attrs(sd_bus_message *message, AttrList *ret)
{
	const char *name, *value;
	int r;

	r = sd_bus_message_enter_container(message, 'a', "(ss)");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_read(message, "(ss)", &name, &value)) > 0) {
		Attr *l = realloc(ret->attrs, (ret->n + 1) * sizeof(Attr));

		if (!l)
			return -ENOMEM;
		l[ret->n++] = (Attr) { .name = (char *) name, .value = (char *) value };
		ret->attrs = l;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(message);
}

/*
 * CreateVGPUEx and DefineVGPU: read the spec (autostart only for a define),
 * authorize as the owner it is for. > 0: go on; 0: polkit asked; < 0: error.
 */
static int read_spec_and_authorize(sd_bus_message *message, BusAdapter *b, bool define, VgpuSpec *spec,
				   AttrList *attrs, char own[OWNER_NAME_MAX + 1], sd_bus_error *error)
{
	_cleanup_(bus_caller_done) BusCaller caller = {};
	const char *explicit;
	int autostart = 0, interactive, r;
	GvtError e = {};
	Action action;

	r = sd_bus_message_read(message, "ssss", &spec->parent, &spec->type, &spec->uuid, &explicit);
	if (r >= 0 && define)
		r = sd_bus_message_read(message, "b", &autostart);
	if (r >= 0)
		r = read_attrs(message, attrs);
	if (r >= 0)
		r = sd_bus_message_read(message, "b", &interactive);
	if (r < 0)
		return r;
	spec->autostart = autostart;
	spec->attrs = attrs->attrs;
	spec->n_attrs = attrs->n;
	r = bus_caller_get(message, &caller);
	if (r < 0)
		return r;
	r = auth_owner_and_action(&caller.caller, explicit, own, &spec->owner, &action, &e);
	if (r < 0)
		return bus_error_from_gvt(error, r, &e);
	return bus_authorize(&b->calls, message, &caller.caller, action, interactive, error);
}

/* bus_reply_async()'s call for a create: args is the spec. */
static int call_create(Manager *m, const void *args, char id[GVT_UUID_STRING_MAX], OperationDone done,
		       void *userdata, GvtError *e)
{
	return transient_create_or_match(m, args, id, done, userdata, e);
}

/* CreateVGPU and CreateVGPUEx: a retried create (same UUID and spec) is answered with the vGPU it made. */
int bus_reply_create(BusAdapter *b, sd_bus_message *message, const VgpuSpec *spec, sd_bus_error *error)
{
	return bus_reply_async(&b->calls, message, BUS_REPLY_PATH_AND_UUID, NULL, call_create, spec, error);
}

int bus_method_create_vgpu_ex(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
	_cleanup_(attr_list_done) AttrList attrs = {};
	char own[OWNER_NAME_MAX + 1];
	VgpuSpec spec = {};
	int r;

	r = read_spec_and_authorize(message, userdata, false, &spec, &attrs, own, error);
	if (r <= 0)
		return r < 0 ? r : 1;
	return bus_reply_create(userdata, message, &spec, error);
}

int bus_method_define_vgpu(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
	_cleanup_(attr_list_done) AttrList attrs = {};
	char id[GVT_UUID_STRING_MAX], own[OWNER_NAME_MAX + 1];
	VgpuSpec spec = {};
	GvtError e = {};
	int r;

	r = read_spec_and_authorize(message, userdata, true, &spec, &attrs, own, error);
	if (r <= 0)
		return r < 0 ? r : 1;
	r = definitions_define(((BusAdapter *) userdata)->calls.manager, &spec, id, &e);
	if (r < 0)
		return bus_error_from_gvt(error, r, &e);
	return sd_bus_reply_method_return(message, "s", id);
}

/* Undefine: a UUID, the owner's action, the core call. */
int bus_method_undefine_vgpu(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
	BusAdapter *b = userdata;
	const char *uuid;
	int interactive, r;

	r = sd_bus_message_read(message, "sb", &uuid, &interactive);
	if (r < 0)
		return r;
	return bus_uuid_call(&b->calls, message, uuid, interactive, definitions_undefine, error);
}

/* Start replies with the vGPU's path once the kernel created it. */
int bus_method_start_vgpu(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
	BusAdapter *b = userdata;

	return bus_uuid_method_async(&b->calls, message, definitions_start_async, true, error);
}

int bus_method_stop_vgpu(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
	BusAdapter *b = userdata;

	return bus_uuid_method_async(&b->calls, message, definitions_stop, false, error);
}

int bus_method_modify_definition(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
	_cleanup_(attr_list_done) AttrList attrs = {};
	_cleanup_(bus_caller_done) BusCaller caller = {};
	BusAdapter *b = userdata;
	const char *uuid, *type, *start;
	char id[GVT_UUID_STRING_MAX];
	GvtError e = {};
	int set_attrs, interactive, autostart = -1, r;

	r = sd_bus_message_read(message, "sssb", &uuid, &type, &start, &set_attrs);
	if (r >= 0)
		r = read_attrs(message, &attrs);
	if (r >= 0)
		r = sd_bus_message_read(message, "b", &interactive);
	if (r < 0)
		return r;
	r = validate_uuid(uuid, id, &e);
	if (r < 0)
		return bus_error_from_gvt(error, r, &e);
	if (streq(start, "auto"))
		autostart = 1;
	else if (streq(start, "manual"))
		autostart = 0;
	else if (!isempty(start))
		return bus_error_from_gvt(error, gvt_error_set(&e, GVT_ERROR_INVALID_ARGUMENT,
				"start must be \"auto\", \"manual\" or \"\" (unchanged)"), &e);
	r = bus_caller_get(message, &caller);
	if (r < 0)
		return r;
	r = bus_authorize(&b->calls, message, &caller.caller,
			  auth_action_for_uuid(b->calls.manager, &caller.caller, id), interactive, error);
	if (r <= 0)
		return r < 0 ? r : 1;
	r = definitions_modify(b->calls.manager, id, &(DefinitionChange) { .type = type, .autostart = autostart,
				      .set_attrs = set_attrs, .attrs = attrs.attrs, .n_attrs = attrs.n }, &e);
	if (r < 0)
		return bus_error_from_gvt(error, r, &e);
	return sd_bus_reply_method_return(message, NULL);
}

int bus_method_list_definitions(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	BusAdapter *b = userdata;
	Manager *m = b->calls.manager;
	int r;

	size_t n;
	Definition *const *defs = definitions_list(m, &n);

	r = sd_bus_message_new_method_return(message, &reply);
	if (r < 0)
		return r;
	r = sd_bus_message_open_container(reply, 'a', GVT_DEFINITION_SIG);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		const Definition *d = defs[i];

		r = sd_bus_message_open_container(reply, 'r', "sssbbsa(ss)");
		if (r >= 0)
			r = sd_bus_message_append(reply, "sssbbs", d->uuid, d->parent, d->type, d->autostart,
						  inventory_find_vgpu(&m->inventory, d->uuid) != NULL,
						  manager_owner_of(m, d->uuid));
		if (r >= 0)
			r = sd_bus_message_open_container(reply, 'a', "(ss)");
		for (size_t j = 0; r >= 0 && j < d->n_attrs; j++)
			r = sd_bus_message_append(reply, "(ss)", d->attrs[j].name, d->attrs[j].value);
		if (r >= 0)
			r = sd_bus_message_close_container(reply);
		if (r >= 0)
			r = sd_bus_message_close_container(reply);
	}
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r < 0)
		return r;
	return sd_bus_send(NULL, reply, NULL);
}

int bus_method_list_unreadable_definitions(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	BusAdapter *b = userdata;
	Manager *m = b->calls.manager;
	size_t n;
	const Unreadable *u = definitions_unreadable(m, &n);
	int r;

	(void) error;
	r = sd_bus_message_new_method_return(message, &reply);
	if (r < 0)
		return r;
	r = sd_bus_message_open_container(reply, 'a', GVT_UNREADABLE_SIG);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		_cleanup_free_ char *path = NULL;

		r = sysfs_path(&path, m->config.root, MDEVCTL_DIR, u[i].parent, u[i].uuid, NULL);
		if (r >= 0)
			r = sd_bus_message_append(reply, GVT_UNREADABLE_SIG, u[i].uuid, u[i].parent, path, u[i].reason);
	}
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r < 0)
		return r;
	return sd_bus_send(NULL, reply, NULL);
}

static int append_limits(sd_bus_message *reply, const bool *set, const uint64_t *values)
{
	int r = sd_bus_message_open_container(reply, 'a', "{st}");

	for (QuotaLimit l = 0; r >= 0 && l < _QUOTA_LIMIT_MAX; l++)
		if (!set || set[l])
			r = sd_bus_message_append(reply, "{st}", quota_limit_to_string(l), values[l]);
	return r < 0 ? r : sd_bus_message_close_container(reply);
}

static int append_quota(sd_bus_message *reply, const QuotaRow *row)
{
	static const Quota none = {};
	const Quota *q = row->quota ? row->quota : &none;
	int r;

	r = sd_bus_message_open_container(reply, 'r', "sa{st}a{st}");
	if (r >= 0)
		r = sd_bus_message_append(reply, "s", row->owner);
	if (r >= 0)
		r = append_limits(reply, q->set, q->max);
	if (r >= 0)
		r = append_limits(reply, NULL, row->usage.v);
	return r < 0 ? r : sd_bus_message_close_container(reply);
}

/* Every owner with an entry, a vGPU or a definition, each once. */
int bus_method_list_quotas(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	Manager *m = ((BusAdapter *) userdata)->calls.manager;
	_cleanup_free_ QuotaRow *rows = NULL;
	size_t n = 0;
	int r;

	r = definitions_quota_rows(m, &rows, &n);
	if (r < 0)
		return r;
	r = sd_bus_message_new_method_return(message, &reply);
	if (r < 0)
		return r;
	r = sd_bus_message_open_container(reply, 'a', GVT_QUOTA_SIG);
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = append_quota(reply, &rows[i]);
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r < 0)
		return r;
	return sd_bus_send(NULL, reply, NULL);
}

int bus_method_set_quota(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
	_cleanup_(bus_caller_done) BusCaller caller = {};
	BusAdapter *b = userdata;
	const char *owner, *name;
	uint64_t value;
	Quota q = {};
	GvtError e = {};
	int interactive, r;

	r = sd_bus_message_read(message, "s", &owner);
	if (r < 0)
		return r;
	snprintf(q.owner, sizeof(q.owner), "%s", owner);
	r = sd_bus_message_enter_container(message, 'a', "{st}");
	while (r >= 0 && (r = sd_bus_message_read(message, "{st}", &name, &value)) > 0)
		if (quota_set_limit(&q, name, value, &e) < 0)
			return bus_error_from_gvt(error, -EINVAL, &e);
	if (r >= 0)
		r = sd_bus_message_exit_container(message);
	if (r >= 0)
		r = sd_bus_message_read(message, "b", &interactive);
	if (r < 0)
		return r;
	r = bus_caller_get(message, &caller);
	if (r < 0)
		return r;
	r = bus_authorize(&b->calls, message, &caller.caller, ACTION_SET_QUOTAS, interactive, error);
	if (r <= 0)
		return r < 0 ? r : 1;
	r = quotas_set(b->calls.manager, &q, &e);
	if (r < 0)
		return bus_error_from_gvt(error, r, &e);
	return sd_bus_reply_method_return(message, NULL);
}
