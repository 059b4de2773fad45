// SPDX-License-Identifier: GPL-2.0-only
/* Core objects as JSON: the shapes api/openapi.yaml names Vgpu, Type, Parent and Host. */
#include <time.h>

#include "definitions.h"
#include "manager.h"
#include "opener-info.h"
#include "plan.h"
#include "rest-request.h"
#include "rest-json.h"

static json_t *description(json_t *o, bool described, const MdevTypeDescription *d)
{
	_cleanup_(json_decrefp) json_t *fields =
		described ? json_pack("{s:i, s:i, s:i, s:i, s:s}", "aperture_mib", (int) d->low_gm_mib,
				      "hidden_mib", (int) d->high_gm_mib, "fences", (int) d->fences,
				      "weight", (int) d->weight, "resolution", d->resolution)
			  : json_pack("{s:n, s:n, s:n, s:n, s:n}", "aperture_mib", "hidden_mib", "fences",
				      "weight", "resolution");

	if (!o || !fields || json_object_update(o, fields) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *attrs_json(const Definition *d)
{
	json_t *attrs = json_array();

	for (size_t i = 0; d && attrs && i < d->n_attrs; i++)
		if (json_array_append_new(attrs, json_pack("{s:s, s:s}", "name", d->attrs[i].name, "value",
							   d->attrs[i].value)) < 0) {
			json_decref(attrs);
			return NULL;
		}
	return attrs;
}

/* {"pid", "name", "vm", "since"} of whoever has the vGPU open, or null. */
static json_t *opener_json(Manager *m, const char *uuid)
{
	_cleanup_(opener_info_done) OpenerInfo o = {};
	char since[32] = "";

	if (openers_info(m, uuid, &o) < 0 || !o.pid)
		return json_null();
	if (o.since_usec) {
		time_t t = o.since_usec / 1000000;
		struct tm tm;

		if (gmtime_r(&t, &tm))
			strftime(since, sizeof(since), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	return json_pack("{s:I, s:s?, s:s?, s:s?}", "pid", (json_int_t) o.pid, "name", o.name, "vm", o.vm, "since",
			 since[0] ? since : NULL);
}

json_t *rest_json_vgpu(Manager *m, const Vgpu *v)
{
	const Definition *d = definitions_find(m, v->uuid);
	char self[64];
	uint32_t opener = openers_pid(m, v->uuid);

	snprintf(self, sizeof(self), "/v1/vgpus/%s", v->uuid);
	return description(json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:b, s:b, s:o, s:{s:s}}", "uuid",
				     v->uuid, "parent", v->parent, "type", v->type, "state", vgpu_state_to_string(v->state),
				     "owner", manager_owner_of(m, v->uuid),
				     "vgpu_id", v->has_vgpu_id ? json_integer(v->vgpu_id) : json_null(),
				     "opened_by", opener ? json_integer(opener) : json_null(), "opener", opener_json(m, v->uuid),
				     "persistent", d != NULL, "autostart", d && d->autostart, "attrs", attrs_json(d),
				     "links", "self", self),
			   v->described, &v->desc);
}

/* A definition that does not run: state "defined", sizes of its type (on its parent, or wherever offered). */
static json_t *json_defined(Manager *m, const Definition *d)
{
	const MdevType *t = inventory_find_type_anywhere(&m->inventory, d->parent, d->type);
	char self[64];

	snprintf(self, sizeof(self), "/v1/vgpus/%s", d->uuid);
	return description(json_pack("{s:s, s:s, s:s, s:s, s:s, s:n, s:n, s:n, s:b, s:b, s:o, s:{s:s}}", "uuid", d->uuid,
				     "parent", d->parent, "type", d->type, "state", "defined",
				     "owner", manager_owner_of(m, d->uuid), "vgpu_id", "opened_by", "opener", "persistent", 1,
				     "autostart", d->autostart, "attrs", attrs_json(d), "links", "self", self),
			   t && t->described, t ? &t->desc : NULL);
}

json_t *rest_json_vgpu_by_uuid(Manager *m, const char *uuid)
{
	const Definition *d = definitions_get(m, uuid);
	const Vgpu *v = inventory_find_vgpu(&m->inventory, uuid);

	if (v)
		return rest_json_vgpu(m, v);
	return d ? json_defined(m, d) : NULL;
}

json_t *rest_json_vgpus(Manager *m, const char *parent, const char *type, const char *owner, const char *state)
{
	const Inventory *inv = &m->inventory;
	size_t n_defs;
	Definition *const *defs = definitions_list(m, &n_defs);
	json_t *a = json_array();

	for (size_t i = 0; a && i < inv->n_vgpus + n_defs; i++) {
		const Vgpu *v = i < inv->n_vgpus ? inv->vgpus[i] : NULL;
		const Definition *d = v ? NULL : defs[i - inv->n_vgpus];
		const char *uuid = v ? v->uuid : d->uuid;

		if (d && inventory_find_vgpu(inv, d->uuid))
			continue;  /* a running definition is listed as its vGPU */
		if ((parent && !streq(parent, v ? v->parent : d->parent)) ||
		    (type && !streq(type, v ? v->type : d->type)) ||
		    (owner && !streq(owner, manager_owner_of(m, uuid))) ||
		    (state && !streq(state, v ? vgpu_state_to_string(v->state) : "defined")))
			continue;
		if (json_array_append_new(a, v ? rest_json_vgpu(m, v) : json_defined(m, d)) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *rest_json_quota(Manager *m, const char *owner)
{
	QuotaRow row = { .owner = owner, .quota = quotas_find(&m->quotas, owner) };

	if (!streq(owner, QUOTA_DEFAULT))
		definitions_quota_usage(m, owner, &row.usage);
	return rest_json_quota_row(&row);
}

json_t *rest_json_quota_row(const QuotaRow *row)
{
	const char *owner = row->owner;
	const Quota *q = row->quota;
	const Usage u = row->usage;
	json_t *limits = json_object(), *usage = json_object();
	char self[64];

	for (QuotaLimit l = 0; limits && usage && l < _QUOTA_LIMIT_MAX; l++)
		if ((q && q->set[l] && json_object_set_new(limits, quota_limit_to_string(l),
							   json_integer((json_int_t) q->max[l])) < 0) ||
		    json_object_set_new(usage, quota_limit_to_string(l), json_integer((json_int_t) u.v[l])) < 0)
			break;
	snprintf(self, sizeof(self), "/v1/quotas/%s", owner);
	return json_pack("{s:s, s:o, s:o, s:{s:s}}", "owner", owner, "limits", limits, "usage", usage,
			 "links", "self", self);
}

json_t *rest_json_type(const Parent *p, const MdevType *t)
{
	return description(json_pack("{s:s, s:s, s:s, s:s, s:i}", "parent", p->name, "name", t->name,
				     "pretty_name", strempty(t->pretty_name), "device_api", strempty(t->device_api),
				     "available", (int) t->available),
			   t->described, &t->desc);
}

json_t *rest_json_parent(const Parent *p)
{
	json_t *types = json_array();
	char self[GVT_NAME_MAX + 32];

	for (size_t i = 0; types && i < p->n_types; i++)
		if (json_array_append_new(types, rest_json_type(p, &p->types[i])) < 0) {
			json_decref(types);
			return NULL;
		}
	snprintf(self, sizeof(self), "/v1/parents/%s", p->name);
	return json_pack("{s:s, s:s, s:o, s:{s:s}}", "name", p->name, "driver", strempty(p->driver), "types", types,
			 "links", "self", self);
}

json_t *rest_json_host(Manager *m)
{
	json_t *steps = json_array();

	for (size_t i = 0; steps && i < m->modules.n_steps; i++) {
		const ModuleStep *s = &m->modules.steps[i];

		if (json_array_append_new(steps, json_pack("{s:s, s:s, s:s, s:s}", "name", s->name,
							   "kind", step_kind_to_string(s->kind),
							   "state", step_state_to_string(s->state),
							   "reason", s->reason)) < 0) {
			json_decref(steps);
			return NULL;
		}
	}
	return json_pack("{s:s, s:s, s:{s:s, s:s, s:o}, s:i, s:i}", "version", PROJECT_VERSION,
			 "profile", profile_to_string(modules_profile(m)),
			 "modules", "state", modules_state_to_string(m->modules.state), "error", m->modules.error,
			 "steps", steps, "parents", (int) m->inventory.n_parents, "vgpus", (int) m->inventory.n_vgpus);
}

json_t *rest_json_definition(Manager *m, const Definition *d)
{
	char self[64];

	snprintf(self, sizeof(self), "/v1/vgpus/%s", d->uuid);
	return json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:o, s:{s:s}}", "uuid", d->uuid, "parent", d->parent,
			 "type", d->type, "owner", manager_owner_of(m, d->uuid), "autostart", d->autostart,
			 "active", inventory_find_vgpu(&m->inventory, d->uuid) != NULL, "attrs", attrs_json(d),
			 "links", "self", self);
}

static json_t *json_unreadable(Manager *m, const Unreadable *u)
{
	_cleanup_free_ char *path = NULL;

	if (sysfs_path(&path, m->config.root, MDEVCTL_DIR, u->parent, u->uuid, NULL) < 0)
		return NULL;
	return json_pack("{s:s, s:s, s:s, s:s}", "uuid", u->uuid, "parent", u->parent, "path", path, "reason",
			 u->reason);
}

json_t *rest_json_definitions(Manager *m)
{
	size_t n, n_bad;
	Definition *const *defs = definitions_list(m, &n);
	const Unreadable *bad = definitions_unreadable(m, &n_bad);
	_cleanup_(json_decrefp) json_t *o = json_pack("{s:[], s:[]}", "definitions", "unreadable");

	if (!o)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (json_array_append_new(json_object_get(o, "definitions"), rest_json_definition(m, defs[i])) < 0)
			return NULL;
	for (size_t i = 0; i < n_bad; i++)
		if (json_array_append_new(json_object_get(o, "unreadable"), json_unreadable(m, &bad[i])) < 0)
			return NULL;
	return TAKE_PTR(o);
}

json_t *rest_json_plan(const HostPlan *plan)
{
	const PlanResult *res = &plan->result;
	json_t *o, *placements, *most;

	o = json_pack("{s:b, s:b, s:[], s:n, s:[]}", "fits", res->fits, "exact", res->exact, "placements", "short",
		      "most");
	if (!o)
		return NULL;
	placements = json_object_get(o, "placements");
	most = json_object_get(o, "most");
	for (size_t i = 0; i < res->n_placements; i++) {
		const PlanPlacement *pl = &res->placements[i];

		if (json_array_append_new(placements, json_pack("{s:s, s:s?, s:s?}", "vgpu", pl->ask, "parent",
								pl->parent ? pl->parent->name : NULL, "type",
								pl->type ? pl->type->name : NULL)) < 0)
			return json_decref(o), NULL;
	}
	if (!res->fits && json_object_set_new(o, "short", json_pack("{s:s, s:s?, s:s?}", "vgpu", res->short_type,
				"parent", res->short_parent ? res->short_parent->name : NULL, "resource",
				resource_to_string(res->short_resource))) < 0)
		return json_decref(o), NULL;
	for (size_t i = 0; i < plan->n_parents; i++) {
		const PlanParent *pp = &plan->now[i];

		for (size_t j = 0; j < pp->parent->n_types; j++)
			if (json_array_append_new(most, json_pack("{s:s, s:s, s:I}", "parent", pp->parent->name, "type",
								  pp->parent->types[j].name, "most",
								  (json_int_t) plan_most(pp, &pp->parent->types[j]))) < 0)
				return json_decref(o), NULL;
	}
	return o;
}
