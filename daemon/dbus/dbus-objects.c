// SPDX-License-Identifier: GPL-2.0-only
/* The objects of org.gvtd1 on one connection: the bus's, or a direct one on the private socket. */
#include "dbus.h"
#include "gvt-dbus.h"
#include "log.h"

/* The objects that come and go with the inventory. */
typedef struct ObjectKind {
	const char *prefix;
	const char *interface;
	const sd_bus_vtable *vtable;
	sd_bus_object_find_t find;
	sd_bus_node_enumerator_t enumerate;
} ObjectKind;

static const ObjectKind object_kinds[] = {
	{ GVT_VGPU_PREFIX, GVT_VGPU_IFACE, bus_vgpu_vtable, bus_vgpu_find, bus_vgpu_enumerate },
	{ GVT_PARENT_PREFIX, GVT_PARENT_IFACE, bus_parent_vtable, bus_parent_find, bus_parent_enumerate },
};

int bus_export(BusAdapter *b, sd_bus *bus)
{
	int r;

	/* Objects are floating: they live as long as the connection. */
	r = sd_bus_add_object_vtable(bus, NULL, GVT_MANAGER_PATH, GVT_MANAGER_IFACE, bus_manager_vtable, b);
	if (r < 0)
		return log_error_errno(r, "Failed to export the manager: %m");
	for (size_t i = 0; i < ELEMENTSOF(object_kinds); i++) {
		const ObjectKind *k = &object_kinds[i];

		r = sd_bus_add_fallback_vtable(bus, NULL, k->prefix, k->interface, k->vtable, k->find, b);
		if (r >= 0)
			r = sd_bus_add_node_enumerator(bus, NULL, k->prefix, k->enumerate, b);
		if (r < 0)
			return log_error_errno(r, "Failed to export the objects under %s: %m", k->prefix);
	}
	r = sd_bus_add_object_manager(bus, NULL, GVT_MANAGER_PATH);
	if (r < 0)
		return log_error_errno(r, "Failed to add the object manager: %m");
	return 0;
}
