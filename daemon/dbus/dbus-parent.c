// SPDX-License-Identifier: GPL-2.0-only
/* org.gvtd1.Parent: one object per mdev parent. */
#include <errno.h>

#include "dbus.h"
#include "definitions.h"
#include "gvt-dbus.h"
#include "inventory.h"
#include "manager.h"

/* As for vGPUs (dbus-vgpu.c): the getters look the parent up from the path. */
static Parent *parent_from_path(BusAdapter *b, const char *path)
{
	const Inventory *inv = &b->calls.manager->inventory;

	for (size_t i = 0; i < inv->n_parents; i++)
		if (bus_path_is(path, bus_parent_path, inv->parents[i]->name))
			return inv->parents[i];
	return NULL;
}

int bus_parent_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
		    sd_bus_error *error)
{
	if (!parent_from_path(userdata, path))
		return 0;
	*found = userdata;
	return 1;
}

static const char *parent_name(const Inventory *inv, size_t i)
{
	return inv->parents[i]->name;
}

int bus_parent_enumerate(sd_bus *bus, const char *prefix, void *userdata, char ***nodes, sd_bus_error *error)
{
	BusAdapter *b = userdata;
	const Inventory *inv = &b->calls.manager->inventory;

	return bus_enumerate(nodes, inv->n_parents, parent_name, bus_parent_path, inv);
}

/* One GVT_TYPE_SIG entry; shared with Manager.ListTypes. */
int bus_append_type(sd_bus_message *reply, const Parent *p, const MdevType *t)
{
	const MdevTypeDescription *d = &t->desc;
	bool k = t->described;

	return sd_bus_message_append(reply, GVT_TYPE_SIG, p->name, t->name, strempty(t->pretty_name),
				     k ? d->low_gm_mib : 0, k ? d->high_gm_mib : 0, k ? d->fences : 0,
				     k ? d->resolution : "", k ? d->weight : 0, t->available);
}

static int property_parent(sd_bus *bus, const char *path, const char *interface, const char *property,
			   sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	const Parent *p = parent_from_path(userdata, path);
	int r;

	if (!p)
		return sd_bus_error_setf(error, SD_BUS_ERROR_UNKNOWN_OBJECT, "Parent %s is gone", path);
	if (streq(property, "Name"))
		return sd_bus_message_append(reply, "s", p->name);
	if (streq(property, "Driver"))
		return sd_bus_message_append(reply, "s", strempty(p->driver));
	if (!streq(property, "Types"))
		return -ENOENT;

	r = sd_bus_message_open_container(reply, 'a', GVT_TYPE_SIG);
	for (size_t i = 0; r >= 0 && i < p->n_types; i++)
		r = bus_append_type(reply, p, &p->types[i]);
	return r < 0 ? r : sd_bus_message_close_container(reply);
}

#define CONST SD_BUS_VTABLE_PROPERTY_CONST
#define CHANGES SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE

const sd_bus_vtable bus_parent_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Name", "s", property_parent, 0, CONST),
	SD_BUS_PROPERTY("Driver", "s", property_parent, 0, CHANGES),
	SD_BUS_PROPERTY("Types", "a" GVT_TYPE_SIG, property_parent, 0, CHANGES),
	SD_BUS_VTABLE_END,
};
