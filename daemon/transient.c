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

/* The owner's record, then the device; the record goes again if the device fails. */
static int create_recorded(Manager *m, Parent *p, MdevType *t, const char *id, const char *owner,
			   const VgpuSpec *spec, GvtError *e)
{
	int r;

	/* The record first: after a crash, a record without a vGPU is garbage, a vGPU without one the admin's. */
	r = owners_set(m->config.root, &m->owners, id, owner);
	if (r < 0)
		return gvt_error_set(e, GVT_ERROR_FAILED, "Failed to record the owner of %s, nothing created: %s",
				     id, strerror(-r));
	r = lifecycle_create_device(m, p, t, id, spec->attrs, spec->n_attrs, e);
	if (r < 0)
		(void) owners_drop(m->config.root, &m->owners, id);
	return r;
}

static int create(Manager *m, const VgpuSpec *spec, char ret_uuid[GVT_UUID_STRING_MAX], GvtError *e)
{
	Callouts callouts;
	const char *owner = isempty(spec->owner) ? OWNER_ADMIN : spec->owner;
	char id[GVT_UUID_STRING_MAX];
	Parent *p = NULL;
	MdevType *t = NULL;
	Usage need;
	int r;

	r = lifecycle_resolve(m, spec, true, &p, &t, id, e);
	if (r < 0)
		return r;
	if (inventory_find_vgpu(&m->inventory, id))
		return gvt_error_set(e, GVT_ERROR_ALREADY_EXISTS, "A vGPU with UUID %s exists already", id);
	if (definitions_find(m, id))
		return gvt_error_set(e, GVT_ERROR_ALREADY_EXISTS,
				     "UUID %s is defined: start it with \"gvtctl start %s\"", id, id);
	usage_of_type(&t->desc, t->described, &need);
	r = quota_check(m, owner, &need, e);
	if (r < 0)
		return r;

	r = callouts_pre_vgpu(&m->config, CALLOUT_ACTION_START, id, p->name, t->name, spec->attrs, spec->n_attrs,
			      &callouts, e);
	if (r < 0)
		return r;
	r = create_recorded(m, p, t, id, owner, spec, e);
	callouts_post(&callouts, r >= 0);
	if (r < 0)
		return r;
	strcpy(ret_uuid, id);
	return 0;
}

int transient_create(Manager *m, const VgpuSpec *spec, char ret_uuid[GVT_UUID_STRING_MAX], GvtError *e)
{
	create_fresh(m, spec->uuid);
	return create(m, spec, ret_uuid, e);
}

int transient_create_or_match(Manager *m, const VgpuSpec *spec, char ret_uuid[GVT_UUID_STRING_MAX],
			      bool *ret_created, GvtError *e)
{
	const char *owner = isempty(spec->owner) ? OWNER_ADMIN : spec->owner;
	const char *had;
	char id[GVT_UUID_STRING_MAX];
	const Vgpu *v;

	*ret_created = false;
	create_fresh(m, spec->uuid);
	if (!isempty(spec->uuid) && validate_uuid(spec->uuid, id, NULL) >= 0) {
		v = inventory_find_vgpu(&m->inventory, id);
		if (v) {
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
			return 0;
		}
	}
	*ret_created = true;
	return create(m, spec, ret_uuid, e);
}

typedef struct RemoveCall {
	char uuid[GVT_UUID_STRING_MAX];  /* not the callouts': those are empty with [Callouts] Enabled=no */
	Callouts callouts;
	OperationDone done;
	void *userdata;
} RemoveCall;

static void on_removed(Manager *m, int r, const GvtError *e, void *userdata)
{
	RemoveCall *c = userdata;

	callouts_post(&c->callouts, r >= 0);
	if (r >= 0 && !definitions_find(m, c->uuid) && owners_drop(m->config.root, &m->owners, c->uuid) < 0)
		log_warning("Failed to drop the owner record of %s; the next start drops it.", c->uuid);
	c->done(m, r, e, c->userdata);
	free(c);
}

int transient_remove(Manager *m, const char *uuid, OperationDone done, void *userdata, GvtError *e)
{
	char id[GVT_UUID_STRING_MAX];
	RemoveCall *c;
	const Vgpu *v;
	int r;

	r = validate_uuid(uuid, id, e);
	if (r < 0)
		return r;
	r = lifecycle_refuse_if_removing(m, id, e);
	if (r < 0)
		return r;
	/* Created behind gvtd's back a moment ago? Look at just this one. */
	(void) inventory_sync_vgpu(m, id);
	v = inventory_find_vgpu(&m->inventory, id);
	if (!v)
		return gvt_error_set(e, GVT_ERROR_NOT_FOUND, "No vGPU %s: list the vGPUs with \"gvtctl list\"", id);
	c = calloc(1, sizeof(*c));
	if (!c)
		return gvt_error_set_errno(e, -ENOMEM, "Failed to remove vGPU %s", id);
	*c = (RemoveCall) { .done = done, .userdata = userdata };
	strcpy(c->uuid, id);
	/* As mdevctl stop sees it: from sysfs, no attributes. */
	r = callouts_pre_vgpu(&m->config, CALLOUT_ACTION_STOP, id, v->parent, v->type, NULL, 0, &c->callouts, e);
	if (r < 0) {
		free(c);
		return r;
	}
	r = lifecycle_remove_device_async(m, id, on_removed, c, e);
	if (r < 0) {
		callouts_post(&c->callouts, false);
		free(c);
		return r;
	}
	return 0;
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
