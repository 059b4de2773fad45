// SPDX-License-Identifier: GPL-2.0-only
/* org.gvtd1.VGPU: one object per vGPU. */
#include <errno.h>

#include "dbus.h"
#include "definitions.h"
#include "gvt-dbus.h"
#include "inventory.h"
#include "manager.h"
#include "opener-info.h"
#include "transient.h"

/*
 * The object found for a path is the adapter itself: getters look the vGPU or
 * parent up again from the path, so nothing points into an inventory that a
 * rescan has replaced.
 */
static Vgpu *vgpu_from_path(BusAdapter *b, const char *path)
{
	const Inventory *inv = &b->calls.manager->inventory;

	for (size_t i = 0; i < inv->n_vgpus; i++)
		if (bus_path_is(path, bus_vgpu_path, inv->vgpus[i]->uuid))
			return inv->vgpus[i];
	return NULL;
}

int bus_vgpu_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
		  sd_bus_error *error)
{
	if (!vgpu_from_path(userdata, path))
		return 0;
	*found = userdata;
	return 1;
}

static const char *vgpu_name(const Inventory *inv, size_t i)
{
	return inv->vgpus[i]->uuid;
}

int bus_vgpu_enumerate(sd_bus *bus, const char *prefix, void *userdata, char ***nodes, sd_bus_error *error)
{
	BusAdapter *b = userdata;
	const Inventory *inv = &b->calls.manager->inventory;

	return bus_enumerate(nodes, inv->n_vgpus, vgpu_name, bus_vgpu_path, inv);
}

static int property_vgpu(sd_bus *bus, const char *path, const char *interface, const char *property,
			 sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	const Vgpu *v = vgpu_from_path(userdata, path);
	const MdevTypeDescription *d;

	if (!v)
		return sd_bus_error_setf(error, SD_BUS_ERROR_UNKNOWN_OBJECT, "vGPU %s is gone", path);
	d = &v->desc;
	if (streq(property, "Uuid"))
		return sd_bus_message_append(reply, "s", v->uuid);
	if (streq(property, "Parent"))
		return sd_bus_message_append(reply, "s", v->parent);
	if (streq(property, "ParentObject")) {
		_cleanup_free_ char *p = NULL;
		int r = bus_parent_path(v->parent, &p);

		return r < 0 ? r : sd_bus_message_append(reply, "o", p);
	}
	if (streq(property, "Type"))
		return sd_bus_message_append(reply, "s", v->type);
	if (streq(property, "State"))
		return sd_bus_message_append(reply, "s", vgpu_state_to_string(v->state));
	if (streq(property, "VgpuId"))
		return sd_bus_message_append(reply, "u", v->has_vgpu_id ? v->vgpu_id : 0);
	if (streq(property, "ApertureMiB"))
		return sd_bus_message_append(reply, "u", v->described ? d->low_gm_mib : 0);
	if (streq(property, "HiddenMiB"))
		return sd_bus_message_append(reply, "u", v->described ? d->high_gm_mib : 0);
	if (streq(property, "Fences"))
		return sd_bus_message_append(reply, "u", v->described ? d->fences : 0);
	if (streq(property, "Weight"))
		return sd_bus_message_append(reply, "u", v->described ? d->weight : 0);
	if (streq(property, "Resolution"))
		return sd_bus_message_append(reply, "s", v->described ? d->resolution : "");
	if (streq(property, "Owner"))
		return sd_bus_message_append(reply, "s", manager_owner_of(((BusAdapter *) userdata)->calls.manager, v->uuid));
	if (streq(property, "Defined"))
		return sd_bus_message_append(reply, "b",
					     definitions_find(((BusAdapter *) userdata)->calls.manager, v->uuid) != NULL);
	if (streq(property, "OpenedBy"))
		return sd_bus_message_append(reply, "u", openers_pid(((BusAdapter *) userdata)->calls.manager, v->uuid));
	if (streq(property, "OpenerName") || streq(property, "OpenerVM") || streq(property, "OpenedSince")) {
		_cleanup_(opener_info_done) OpenerInfo o = {};
		int r;

		r = openers_info(((BusAdapter *) userdata)->calls.manager, v->uuid, &o);
		if (r < 0)
			return r;
		if (streq(property, "OpenedSince"))
			return sd_bus_message_append(reply, "t", o.since_usec);
		return sd_bus_message_append(reply, "s", strempty(streq(property, "OpenerName") ? o.name : o.vm));
	}
	return -ENOENT;
}

static int method_vgpu_remove(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
	const Vgpu *v = vgpu_from_path(userdata, sd_bus_message_get_path(message));
	char uuid[GVT_UUID_STRING_MAX];
	int interactive, r;

	r = sd_bus_message_read(message, "b", &interactive);
	if (r < 0)
		return r;
	if (!v)
		return sd_bus_error_setf(error, SD_BUS_ERROR_UNKNOWN_OBJECT, "The vGPU is gone");
	/* The object goes away while we act: keep what we need. */
	strcpy(uuid, v->uuid);
	return bus_uuid_call_async(userdata, message, uuid, interactive, transient_remove, false, error);
}

#define VGPU_PROPERTY(name, sig, flags) SD_BUS_PROPERTY(name, sig, property_vgpu, 0, flags)
#define CONST SD_BUS_VTABLE_PROPERTY_CONST
#define CHANGES SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE

const sd_bus_vtable bus_vgpu_vtable[] = {
	SD_BUS_VTABLE_START(0),
	VGPU_PROPERTY("Uuid", "s", CONST),
	VGPU_PROPERTY("Parent", "s", CONST),
	VGPU_PROPERTY("ParentObject", "o", CONST),
	VGPU_PROPERTY("Type", "s", CONST),
	VGPU_PROPERTY("State", "s", CHANGES),
	VGPU_PROPERTY("VgpuId", "u", CHANGES),
	VGPU_PROPERTY("ApertureMiB", "u", CHANGES),
	VGPU_PROPERTY("HiddenMiB", "u", CHANGES),
	VGPU_PROPERTY("Fences", "u", CHANGES),
	VGPU_PROPERTY("Weight", "u", CHANGES),
	VGPU_PROPERTY("Resolution", "s", CHANGES),
	VGPU_PROPERTY("Owner", "s", CHANGES),
	VGPU_PROPERTY("Defined", "b", CHANGES),
	VGPU_PROPERTY("OpenedBy", "u", CHANGES),
	VGPU_PROPERTY("OpenerName", "s", CHANGES),
	VGPU_PROPERTY("OpenerVM", "s", CHANGES),
	VGPU_PROPERTY("OpenedSince", "t", CHANGES),
	SD_BUS_METHOD_WITH_ARGS("Remove", SD_BUS_ARGS("b", interactive), SD_BUS_NO_RESULT, method_vgpu_remove,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END,
};
