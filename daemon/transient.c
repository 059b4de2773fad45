// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>

#include "callouts.h"
#include "definitions.h"
#include "log.h"
#include "manager.h"
#include "owners.h"
#include "quotas.h"
#include "transient.h"

/*
 * The one freshness step of a create: the uevents received so far applied,
 * and the UUID asked for (made behind gvtd's back and not seen yet?) as
 * sysfs has it now. What follows decides on memory; the kernel's word on
 * the create itself is the write's result.
 */
static void create_fresh(Manager *m, const char *uuid)
{
	char id[GVT_UUID_STRING_MAX];

	inventory_flush(m);
	if (!isempty(uuid) && validate_uuid(uuid, id, NULL) >= 0)
		(void) inventory_sync_vgpu(m, id);
}

/* The device's end: the record goes again if it failed, the callouts hear the outcome. */
static void on_created(Manager *m, int r, const GvtError *e, void *userdata)
{
	OperationCall *c = userdata;

	if (r < 0)
		(void) owners_drop(m->config.root, &m->owners, c->uuid);
	operation_call_end(m, c, r, e);
}

/* Every check, the pre callouts, the owner's record, then the device off the loop. */
static int create(Manager *m, const VgpuSpec *spec, char ret_uuid[GVT_UUID_STRING_MAX], OperationDone done,
		  void *userdata, GvtError *e)
{
	const char *owner = isempty(spec->owner) ? OWNER_ADMIN : spec->owner;
	Parent *p = NULL;
	MdevType *t = NULL;
	OperationCall *c;
	Usage need;
	int r;

	r = lifecycle_resolve(m, spec, true, &p, &t, ret_uuid, e);
	if (r < 0)
		return r;
	if (inventory_find_vgpu(&m->inventory, ret_uuid))
		return gvt_error_set(e, GVT_ERROR_ALREADY_EXISTS, "A vGPU with UUID %s exists already", ret_uuid);
	if (definitions_find(m, ret_uuid))
		return gvt_error_set(e, GVT_ERROR_ALREADY_EXISTS,
				     "UUID %s is defined: start it with \"gvtctl start %s\"", ret_uuid, ret_uuid);
	r = lifecycle_refuse_if_busy(m, ret_uuid, e);
	if (r < 0)
		return r;
	usage_of_type(&t->desc, t->described, &need);
	r = quota_check(m, owner, &need, e);
	if (r < 0)
		return r;

	c = operation_call_new(ret_uuid, done, userdata, e);
	if (!c)
		return -ENOMEM;
	r = callouts_pre_vgpu(&m->config, CALLOUT_ACTION_START, ret_uuid, p->name, t->name, spec->attrs,
			      spec->n_attrs, &c->callouts, e);
	if (r < 0) {
		free(c);
		return r;
	}
	/* The record first: after a crash, a record without a vGPU is garbage, a vGPU without one the admin's. */
	r = owners_set(m->config.root, &m->owners, ret_uuid, owner);
	if (r < 0)
		r = gvt_error_set(e, GVT_ERROR_FAILED, "Failed to record the owner of %s, nothing created: %s",
				  ret_uuid, strerror(-r));
	else {
		r = lifecycle_create_device_async(m, p, t, ret_uuid, spec->attrs, spec->n_attrs, owner, &need,
						  on_created, c, e);
		if (r < 0)
			(void) owners_drop(m->config.root, &m->owners, ret_uuid);
	}
	if (r < 0)
		operation_call_cancel(c);
	return r;
}

int transient_create_or_match(Manager *m, const VgpuSpec *spec, char ret_uuid[GVT_UUID_STRING_MAX],
			      OperationDone done, void *userdata, GvtError *e)
{
	const char *owner = isempty(spec->owner) ? OWNER_ADMIN : spec->owner;
	const char *had;
	char id[GVT_UUID_STRING_MAX];
	const Vgpu *v;

	create_fresh(m, spec->uuid);
	if (!isempty(spec->uuid) && validate_uuid(spec->uuid, id, NULL) >= 0) {
		v = inventory_find_vgpu(&m->inventory, id);
		if (v && !device_ops_pending(m, id, NULL)) {
			const char *type;

			/* A retry names the type as the first request did: maybe by its short name. */
			if (lifecycle_resolve_type(m, spec->parent, strempty(spec->type), &type, NULL) < 0)
				type = strempty(spec->type);
			had = owners_get(&m->owners, id);
			if (!streq(v->type, type) ||
			    (!isempty(spec->parent) && !streq(v->parent, spec->parent)) ||
			    !streq(strempty(had), owner) || spec->n_attrs > 0)
				return gvt_error_set(e, GVT_ERROR_ALREADY_EXISTS,
						     "A vGPU with UUID %s exists already, of type %s on %s for %s: "
						     "not the one asked for", id, v->type, v->parent, strempty(had));
			strcpy(ret_uuid, id);
			return 1;
		}
	}
	return create(m, spec, ret_uuid, done, userdata, e);
}

static void on_removed(Manager *m, int r, const GvtError *e, void *userdata)
{
	OperationCall *c = userdata;

	if (r >= 0 && !definitions_find(m, c->uuid) && owners_drop(m->config.root, &m->owners, c->uuid) < 0)
		log_warning("Failed to drop the owner record of %s; the next start drops it.", c->uuid);
	operation_call_end(m, c, r, e);
}

int transient_remove(Manager *m, const char *uuid, OperationDone done, void *userdata, GvtError *e)
{
	char id[GVT_UUID_STRING_MAX];
	OperationCall *c;
	const Vgpu *v;
	int r;

	r = validate_uuid(uuid, id, e);
	if (r < 0)
		return r;
	r = lifecycle_refuse_if_busy(m, id, e);
	if (r < 0)
		return r;
	/* Created behind gvtd's back a moment ago? Look at just this one. */
	(void) inventory_sync_vgpu(m, id);
	v = inventory_find_vgpu(&m->inventory, id);
	if (!v)
		return gvt_error_set(e, GVT_ERROR_NOT_FOUND, "No vGPU %s: list the vGPUs with \"gvtctl list\"", id);
	c = operation_call_new(id, done, userdata, e);
	if (!c)
		return -ENOMEM;
	/* As mdevctl stop sees it: from sysfs, no attributes. */
	r = callouts_pre_vgpu(&m->config, CALLOUT_ACTION_STOP, id, v->parent, v->type, NULL, 0, &c->callouts, e);
	if (r < 0) {
		free(c);
		return r;
	}
	r = lifecycle_remove_device_async(m, id, on_removed, c, e);
	if (r < 0)
		operation_call_cancel(c);
	return r;
}

int transient_delete(Manager *m, const char *uuid, OperationDone done, void *userdata, GvtError *e)
{
	char id[GVT_UUID_STRING_MAX];
	bool running;
	int r;

	r = validate_uuid(uuid, id, e);
	if (r < 0)
		return r;
	(void) definitions_sync(m);
	(void) inventory_sync_vgpu(m, id);
	running = inventory_find_vgpu(&m->inventory, id);
	if (!definitions_find(m, id))
		return transient_remove(m, id, done, userdata, e);
	if (running)
		return gvt_error_set(e, GVT_ERROR_BUSY,
				     "vGPU %s is defined and running: stop it first (\"gvtctl stop %s\", "
				     "POST /v1/vgpus/%s/stop), then remove the definition", id, id, id);
	r = definitions_undefine(m, id, e);
	return r < 0 ? r : 1;
}
