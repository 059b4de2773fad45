// SPDX-License-Identifier: GPL-2.0-only
/* org.gvtd1.Manager on /org/gvtd1. */
#include <errno.h>

#include "auth.h"
#include "dbus.h"
#include "doctor.h"
#include "gvt-dbus.h"
#include "lifecycle.h"
#include "log.h"
#include "manager.h"
#include "plan.h"
#include "transient.h"

static int property_manager(sd_bus *bus, const char *path, const char *interface, const char *property,
			    sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	BusAdapter *b = userdata;
	Manager *m = b->calls.manager;
	int r;

	if (streq(property, "Version"))
		return sd_bus_message_append(reply, "s", PROJECT_VERSION);
	if (streq(property, "Profile"))
		return sd_bus_message_append(reply, "s",
					     profile_to_string(modules_profile(m)));
	if (streq(property, "ModulesState"))
		return sd_bus_message_append(reply, "s", modules_state_to_string(m->modules.state));
	if (streq(property, "ModulesError"))
		return sd_bus_message_append(reply, "s", m->modules.error);
	if (streq(property, "Modules")) {
		r = sd_bus_message_open_container(reply, 'a', GVT_MODULE_SIG);
		for (size_t i = 0; r >= 0 && i < m->modules.n_steps; i++) {
			const ModuleStep *s = &m->modules.steps[i];

			r = sd_bus_message_append(reply, GVT_MODULE_SIG, s->name, step_kind_to_string(s->kind),
						  step_state_to_string(s->state), s->reason);
		}
		return r < 0 ? r : sd_bus_message_close_container(reply);
	}
	if (streq(property, "Parents") || streq(property, "VGPUs")) {
		bool parents = streq(property, "Parents");
		size_t n = parents ? m->inventory.n_parents : m->inventory.n_vgpus;

		r = sd_bus_message_open_container(reply, 'a', "o");
		for (size_t i = 0; r >= 0 && i < n; i++) {
			_cleanup_free_ char *p = NULL;

			r = parents ? bus_parent_path(m->inventory.parents[i]->name, &p)
				    : bus_vgpu_path(m->inventory.vgpus[i]->uuid, &p);
			if (r >= 0)
				r = sd_bus_message_append(reply, "o", p);
		}
		return r < 0 ? r : sd_bus_message_close_container(reply);
	}
	return -ENOENT;
}

static int method_list_types(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	BusAdapter *b = userdata;
	Manager *m = b->calls.manager;
	const char *parent;
	GvtError e = {};
	int r;

	r = sd_bus_message_read(message, "s", &parent);
	if (r < 0)
		return r;
	if (!isempty(parent)) {
		r = validate_name("parent", parent, &e);
		if (r < 0)
			return bus_error_from_gvt(error, r, &e);
		if (!inventory_find_parent(&m->inventory, parent))
			return bus_error_from_gvt(error, gvt_error_set(&e, GVT_ERROR_NOT_FOUND,
					"No mdev parent %s: list the parents with \"gvtctl parents\"", parent), &e);
	}

	r = sd_bus_message_new_method_return(message, &reply);
	if (r < 0)
		return r;
	r = sd_bus_message_open_container(reply, 'a', GVT_TYPE_SIG);
	for (size_t i = 0; r >= 0 && i < m->inventory.n_parents; i++) {
		const Parent *p = m->inventory.parents[i];

		if (!isempty(parent) && !streq(parent, p->name))
			continue;
		for (size_t j = 0; r >= 0 && j < p->n_types; j++)
			r = bus_append_type(reply, p, &p->types[j]);
	}
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r < 0)
		return r;
	return sd_bus_send(NULL, reply, NULL);
}

static int method_list_vgpus(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	BusAdapter *b = userdata;
	const Inventory *inv = &b->calls.manager->inventory;
	int r;

	r = sd_bus_message_new_method_return(message, &reply);
	if (r < 0)
		return r;
	r = sd_bus_message_open_container(reply, 'a', GVT_VGPU_SIG);
	for (size_t i = 0; r >= 0 && i < inv->n_vgpus; i++) {
		const Vgpu *v = inv->vgpus[i];
		_cleanup_free_ char *path = NULL;

		r = bus_vgpu_path(v->uuid, &path);
		if (r >= 0)
			r = sd_bus_message_append(reply, GVT_VGPU_SIG, path, v->uuid, v->parent, v->type,
						  vgpu_state_to_string(v->state));
	}
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r < 0)
		return r;
	return sd_bus_send(NULL, reply, NULL);
}

static int method_create_vgpu(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
	_cleanup_(bus_caller_done) BusCaller caller = {};
	BusAdapter *b = userdata;
	const char *parent, *type, *uuid;
	char id[GVT_UUID_STRING_MAX], owner[OWNER_NAME_MAX + 1];
	VgpuSpec spec;
	GvtError e = {};
	Action action;
	int interactive, r;

	r = sd_bus_message_read(message, "sssb", &parent, &type, &uuid, &interactive);
	if (r < 0)
		return r;
	/* Malformed arguments are reported as such even to callers who may not act. */
	r = validate_name("type", type, &e);
	if (r >= 0 && !isempty(parent))
		r = validate_name("parent", parent, &e);
	if (r >= 0 && !isempty(uuid))
		r = validate_uuid(uuid, id, &e);
	if (r < 0)
		return bus_error_from_gvt(error, r, &e);

	r = bus_caller_get(message, &caller);
	if (r >= 0)
		r = auth_owner_and_action(&caller.caller, NULL, owner, &spec.owner, &action, &e);
	if (r < 0)
		return r;
	r = bus_authorize(&b->calls, message, &caller.caller, action, interactive, error);
	if (r <= 0)
		return r < 0 ? r : 1;
	spec = (VgpuSpec) { .parent = parent, .type = type, .uuid = uuid, .owner = spec.owner };
	return bus_reply_create(b, message, &spec, error);
}

static int method_remove_vgpu(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
	BusAdapter *b = userdata;

	return bus_uuid_method_async(&b->calls, message, transient_remove, false, error);
}

/*
 * Reads the interactive flag, answers a no-op at once or returns while polkit
 * decides (1), fails (< 0) or lets the caller act (0).
 */
static int modules_call_begin(sd_bus_message *message, BusAdapter *b, bool no_op, sd_bus_error *error)
{
	_cleanup_(bus_caller_done) BusCaller caller = {};
	int interactive, r;

	r = sd_bus_message_read(message, "b", &interactive);
	if (r < 0)
		return r;
	if (no_op)
		return sd_bus_reply_method_return(message, NULL) < 0 ? -EIO : 1;
	r = bus_caller_get(message, &caller);
	if (r < 0)
		return r;
	r = bus_authorize(&b->calls, message, &caller.caller, ACTION_MANAGE_MODULES, interactive, error);
	return r < 0 ? r : r == 0 ? 1 : 0;
}

static int method_load_modules(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
	BusAdapter *b = userdata;
	BusLater *l;
	GvtError e = {};
	int r;

	r = modules_call_begin(message, b, modules_request_is_noop(&b->calls.manager->modules, true), error);
	if (r != 0)
		return r;
	/* The reply waits for the load order to finish, which may take seconds. */
	l = bus_later_new(message, BUS_REPLY_EMPTY, NULL);
	if (!l)
		return -ENOMEM;
	r = modules_load(b->calls.manager, bus_reply_when_done, l, &e);
	if (r < 0) {
		bus_later_free(l);
		return bus_error_from_gvt(error, r, &e);
	}
	return 1;
}

static int method_unload_modules(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
	BusAdapter *b = userdata;
	GvtError e = {};
	int r;

	r = modules_call_begin(message, b, modules_request_is_noop(&b->calls.manager->modules, false), error);
	if (r != 0)
		return r;
	r = modules_unload(b->calls.manager, &e);
	if (r < 0)
		return bus_error_from_gvt(error, r, &e);
	return sd_bus_reply_method_return(message, NULL);
}

/* Diagnose(): the host doctor; reads only, for anyone. */
static int method_diagnose(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	BusAdapter *b = userdata;
	Diagnosis d;
	int r;

	doctor_diagnose(b->calls.manager, &d);
	r = sd_bus_message_new_method_return(message, &reply);
	if (r >= 0)
		r = sd_bus_message_append(reply, "s", check_state_to_string(d.worst));
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "(ssss)");
	for (size_t i = 0; r >= 0 && i < d.n_checks; i++)
		r = sd_bus_message_append(reply, "(ssss)", d.checks[i].id, check_state_to_string(d.checks[i].state),
					  d.checks[i].seen, d.checks[i].fix);
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r < 0)
		return r;
	return sd_bus_send(NULL, reply, NULL);
}

/* Plan(a(su) vgpus, s parent): read-only, for anyone, like the listings. */
static int method_plan(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	BusAdapter *b = userdata;
	PlanAsk asks[PLAN_MAX_KINDS];
	const char *parent, *type;
	size_t n = 0;
	uint32_t count;
	HostPlan plan;
	GvtError e = {};
	int r;

	r = sd_bus_message_enter_container(message, 'a', "(su)");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_read(message, "(su)", &type, &count)) > 0) {
		if (n == ELEMENTSOF(asks))
			return bus_error_from_gvt(error, gvt_error_set(&e, GVT_ERROR_INVALID_ARGUMENT,
					"More than %d kinds of vGPUs: a plan takes %d at most", PLAN_MAX_KINDS,
					PLAN_MAX_KINDS), &e);
		asks[n++] = (PlanAsk) { type, count };
	}
	if (r < 0)
		return r;
	r = sd_bus_message_exit_container(message);
	if (r < 0)
		return r;
	r = sd_bus_message_read(message, "s", &parent);
	if (r < 0)
		return r;
	r = plan_host(b->calls.manager, parent, asks, n, &plan, &e);
	if (r < 0)
		return bus_error_from_gvt(error, r, &e);

	r = sd_bus_message_new_method_return(message, &reply);
	if (r < 0)
		return r;
	r = sd_bus_message_append(reply, "bb", plan.result.fits, plan.result.exact);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "(sss)");
	for (size_t i = 0; r >= 0 && i < plan.result.n_placements; i++) {
		const PlanPlacement *pl = &plan.result.placements[i];

		r = sd_bus_message_append(reply, "(sss)", pl->ask, pl->parent ? pl->parent->name : "",
					  pl->type ? pl->type->name : "");
	}
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r >= 0)
		r = sd_bus_message_append(reply, "(sss)", strempty(plan.result.short_type),
					  plan.result.short_parent ? plan.result.short_parent->name : "",
					  strempty(resource_to_string(plan.result.short_resource)));
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "(ssu)");
	for (size_t i = 0; r >= 0 && i < plan.n_parents; i++) {
		const PlanParent *pp = &plan.now[i];

		for (size_t j = 0; r >= 0 && j < pp->parent->n_types; j++)
			r = sd_bus_message_append(reply, "(ssu)", pp->parent->name, pp->parent->types[j].name,
						  plan_most(pp, &pp->parent->types[j]));
	}
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r < 0)
		return r;
	return sd_bus_send(NULL, reply, NULL);
}

#define MANAGER_PROPERTY(name, sig, flags) SD_BUS_PROPERTY(name, sig, property_manager, 0, flags)

const sd_bus_vtable bus_manager_vtable[] = {
	SD_BUS_VTABLE_START(0),
	MANAGER_PROPERTY("Version", "s", SD_BUS_VTABLE_PROPERTY_CONST),
	MANAGER_PROPERTY("Profile", "s", SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	MANAGER_PROPERTY("ModulesState", "s", SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	MANAGER_PROPERTY("ModulesError", "s", SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	MANAGER_PROPERTY("Modules", "a" GVT_MODULE_SIG, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	MANAGER_PROPERTY("Parents", "ao", SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	MANAGER_PROPERTY("VGPUs", "ao", SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),

	SD_BUS_METHOD_WITH_ARGS("ListTypes", SD_BUS_ARGS("s", parent), SD_BUS_RESULT("a" GVT_TYPE_SIG, types),
				method_list_types, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Diagnose", SD_BUS_NO_ARGS, SD_BUS_RESULT("s", state, "a(ssss)", checks),
				method_diagnose, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Plan", SD_BUS_ARGS("a(su)", vgpus, "s", parent),
				SD_BUS_RESULT("b", fits, "b", exact, "a(sss)", placements, "(sss)", short_of,
					      "a(ssu)", most),
				method_plan, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("ListVGPUs", SD_BUS_NO_ARGS, SD_BUS_RESULT("a" GVT_VGPU_SIG, vgpus),
				method_list_vgpus, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("CreateVGPU",
				SD_BUS_ARGS("s", parent, "s", type, "s", uuid, "b", interactive),
				SD_BUS_RESULT("o", vgpu, "s", uuid),
				method_create_vgpu, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("RemoveVGPU", SD_BUS_ARGS("s", uuid, "b", interactive), SD_BUS_NO_RESULT,
				method_remove_vgpu, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("CreateVGPUEx",
				SD_BUS_ARGS("s", parent, "s", type, "s", uuid, "s", owner, "a(ss)", attrs, "b", interactive),
				SD_BUS_RESULT("o", vgpu, "s", uuid),
				bus_method_create_vgpu_ex, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("ListDefinitions", SD_BUS_NO_ARGS, SD_BUS_RESULT("a" GVT_DEFINITION_SIG, definitions),
				bus_method_list_definitions, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("ListUnreadableDefinitions", SD_BUS_NO_ARGS,
				SD_BUS_RESULT("a" GVT_UNREADABLE_SIG, files),
				bus_method_list_unreadable_definitions, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("DefineVGPU",
				SD_BUS_ARGS("s", parent, "s", type, "s", uuid, "s", owner, "b", autostart,
					    "a(ss)", attrs, "b", interactive),
				SD_BUS_RESULT("s", uuid),
				bus_method_define_vgpu, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("UndefineVGPU", SD_BUS_ARGS("s", uuid, "b", interactive), SD_BUS_NO_RESULT,
				bus_method_undefine_vgpu, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("StartVGPU", SD_BUS_ARGS("s", uuid, "b", interactive), SD_BUS_RESULT("o", vgpu),
				bus_method_start_vgpu, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("StopVGPU", SD_BUS_ARGS("s", uuid, "b", interactive), SD_BUS_NO_RESULT,
				bus_method_stop_vgpu, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("ModifyDefinition",
				SD_BUS_ARGS("s", uuid, "s", type, "s", start, "b", set_attrs, "a(ss)", attrs,
					    "b", interactive),
				SD_BUS_NO_RESULT,
				bus_method_modify_definition, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("ListQuotas", SD_BUS_NO_ARGS, SD_BUS_RESULT("a" GVT_QUOTA_SIG, quotas),
				bus_method_list_quotas, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("SetQuota", SD_BUS_ARGS("s", owner, "a{st}", limits, "b", interactive),
				SD_BUS_NO_RESULT,
				bus_method_set_quota, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("AddToken", SD_BUS_ARGS("s", owner, "s", role, "b", interactive),
				SD_BUS_RESULT("s", id, "s", token),
				bus_method_add_token, SD_BUS_VTABLE_UNPRIVILEGED | SD_BUS_VTABLE_SENSITIVE),
	SD_BUS_METHOD_WITH_ARGS("ListTokens", SD_BUS_ARGS("b", interactive), SD_BUS_RESULT("a(sss)", tokens),
				bus_method_list_tokens, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("RevokeToken", SD_BUS_ARGS("s", id, "b", interactive), SD_BUS_NO_RESULT,
				bus_method_revoke_token, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Subscribe", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, bus_method_subscribe,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Unsubscribe", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, bus_method_unsubscribe,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("LoadModules", SD_BUS_ARGS("b", interactive), SD_BUS_NO_RESULT,
				method_load_modules, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("UnloadModules", SD_BUS_ARGS("b", interactive), SD_BUS_NO_RESULT,
				method_unload_modules, SD_BUS_VTABLE_UNPRIVILEGED),

	SD_BUS_SIGNAL_WITH_ARGS("VGPUAdded", SD_BUS_ARGS("o", vgpu, "s", uuid), 0),
	SD_BUS_SIGNAL_WITH_ARGS("VGPURemoved", SD_BUS_ARGS("o", vgpu, "s", uuid), 0),
	SD_BUS_SIGNAL_WITH_ARGS("VGPUStateChanged", SD_BUS_ARGS("o", vgpu, "s", uuid, "s", state), 0),
	SD_BUS_SIGNAL_WITH_ARGS("DefinitionAdded", SD_BUS_ARGS("s", uuid), 0),
	SD_BUS_SIGNAL_WITH_ARGS("DefinitionRemoved", SD_BUS_ARGS("s", uuid), 0),
	SD_BUS_SIGNAL_WITH_ARGS("DefinitionChanged", SD_BUS_ARGS("s", uuid), 0),
	SD_BUS_VTABLE_END,
};
