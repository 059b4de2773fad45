// SPDX-License-Identifier: GPL-2.0-only
/* Core objects as JSON: the shapes api/openapi.yaml names Vgpu, Type, Parent and Host. */
#include "manager.h"
#include "rest.h"

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

json_t *rest_json_vgpu(Manager *m, const Vgpu *v)
{
	char self[64];

	snprintf(self, sizeof(self), "/v1/vgpus/%s", v->uuid);
	return description(json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:{s:s}}", "uuid", v->uuid, "parent", v->parent,
				     "type", v->type, "state", vgpu_state_to_string(v->state),
				     "owner", manager_owner_of(m, v->uuid),
				     "vgpu_id", v->has_vgpu_id ? json_integer(v->vgpu_id) : json_null(),
				     "links", "self", self),
			   v->described, &v->desc);
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
			 "profile", profile_to_string(m->modules.n_steps ? m->modules.profile : m->config.profile),
			 "modules", "state", modules_state_to_string(m->modules.state), "error", m->modules.error,
			 "steps", steps, "parents", (int) m->inventory.n_parents, "vgpus", (int) m->inventory.n_vgpus);
}

json_t *rest_json_definition(Manager *m, const Definition *d)
{
	json_t *attrs = json_array();
	char self[64];

	for (size_t i = 0; attrs && i < d->n_attrs; i++)
		if (json_array_append_new(attrs, json_pack("{s:s, s:s}", "name", d->attrs[i].name, "value",
							   d->attrs[i].value)) < 0) {
			json_decref(attrs);
			return NULL;
		}
	snprintf(self, sizeof(self), "/v1/vgpus/%s", d->uuid);
	return json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:o, s:{s:s}}", "uuid", d->uuid, "parent", d->parent,
			 "type", d->type, "owner", manager_owner_of(m, d->uuid), "autostart", d->autostart,
			 "active", inventory_find_vgpu(&m->inventory, d->uuid) != NULL, "attrs", attrs,
			 "links", "self", self);
}
