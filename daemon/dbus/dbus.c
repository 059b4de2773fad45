// SPDX-License-Identifier: GPL-2.0-only
/* The bus connection, object registration, core events as signals, reconnection. */
#include <errno.h>

#include "dbus.h"
#include "gvt-dbus.h"
#include "log.h"
#include "manager.h"

#define RECONNECT_USEC (2 * 1000000ULL)

static int bus_connect(BusAdapter *b);

static void emit_vgpu_signal(sd_bus *bus, const char *member, const Vgpu *v, const char *path)
{
	int r;

	if (streq(member, "VGPUStateChanged"))
		r = sd_bus_emit_signal(bus, GVT_MANAGER_PATH, GVT_MANAGER_IFACE, member, "oss", path, v->uuid,
				       vgpu_state_to_string(v->state));
	else
		r = sd_bus_emit_signal(bus, GVT_MANAGER_PATH, GVT_MANAGER_IFACE, member, "os", path, v->uuid);
	if (r < 0)
		log_warning_errno(r, "Failed to emit %s for %s, ignoring: %m", member, v->uuid);
}

static void emit_manager_changed(sd_bus *bus, const char *property, const char *property2)
{
	int r = sd_bus_emit_properties_changed(bus, GVT_MANAGER_PATH, GVT_MANAGER_IFACE, property, property2,
					       NULL);

	if (r < 0)
		log_warning_errno(r, "Failed to emit PropertiesChanged for %s, ignoring: %m", property);
}

/* InterfacesRemoved names the interfaces itself: the object is already gone from the inventory. */
static int emit_removed(sd_bus *bus, const char *path, const char *interface)
{
	return sd_bus_emit_interfaces_removed(bus, path, interface, "org.freedesktop.DBus.Peer",
					      "org.freedesktop.DBus.Introspectable",
					      "org.freedesktop.DBus.Properties", NULL);
}

/* One core event as signals on one connection. */
static void emit_event(sd_bus *bus, Manager *m, const Event *ev)
{
	_cleanup_free_ char *path = NULL;
	int r = 0;

	switch (ev->kind) {
	case EVENT_VGPU_ADDED:
	case EVENT_VGPU_REMOVED:
	case EVENT_VGPU_STATE_CHANGED:
	case EVENT_VGPU_CHANGED:
		r = bus_vgpu_path(ev->vgpu->uuid, &path);
		if (r < 0)
			break;
		if (ev->kind == EVENT_VGPU_ADDED) {
			r = sd_bus_emit_object_added(bus, path);
			emit_vgpu_signal(bus, "VGPUAdded", ev->vgpu, path);
			emit_manager_changed(bus, "VGPUs", NULL);
		} else if (ev->kind == EVENT_VGPU_REMOVED) {
			r = emit_removed(bus, path, GVT_VGPU_IFACE);
			emit_vgpu_signal(bus, "VGPURemoved", ev->vgpu, path);
			emit_manager_changed(bus, "VGPUs", NULL);
		} else {
			r = sd_bus_emit_properties_changed_strv(bus, path, GVT_VGPU_IFACE, NULL);
			if (ev->kind == EVENT_VGPU_STATE_CHANGED)
				emit_vgpu_signal(bus, "VGPUStateChanged", ev->vgpu, path);
		}
		break;
	case EVENT_PARENT_ADDED:
	case EVENT_PARENT_REMOVED:
	case EVENT_PARENT_CHANGED:
		r = bus_parent_path(ev->parent->name, &path);
		if (r < 0)
			break;
		if (ev->kind == EVENT_PARENT_ADDED)
			r = sd_bus_emit_object_added(bus, path);
		else if (ev->kind == EVENT_PARENT_REMOVED)
			r = emit_removed(bus, path, GVT_PARENT_IFACE);
		else
			r = sd_bus_emit_properties_changed_strv(bus, path, GVT_PARENT_IFACE, NULL);
		if (ev->kind != EVENT_PARENT_CHANGED)
			emit_manager_changed(bus, "Parents", NULL);
		break;
	case EVENT_MODULES_CHANGED:
		emit_manager_changed(bus, "Modules", "ModulesState");
		emit_manager_changed(bus, "Profile", "ModulesError");
		break;
	case EVENT_DEFINITION_ADDED:
	case EVENT_DEFINITION_REMOVED:
	case EVENT_DEFINITION_CHANGED:
		r = sd_bus_emit_signal(bus, GVT_MANAGER_PATH, GVT_MANAGER_IFACE,
				       ev->kind == EVENT_DEFINITION_ADDED ? "DefinitionAdded" :
				       ev->kind == EVENT_DEFINITION_REMOVED ? "DefinitionRemoved" : "DefinitionChanged",
				       "s", ev->definition->uuid);
		if (r >= 0 && inventory_find_vgpu(&m->inventory, ev->definition->uuid) &&
		    bus_vgpu_path(ev->definition->uuid, &path) >= 0)
			r = sd_bus_emit_properties_changed(bus, path, GVT_VGPU_IFACE, "Defined", "Owner", NULL);
		break;
	default:
		break;
	}
	if (r < 0)
		log_warning_errno(r, "Failed to emit D-Bus signals for a change, ignoring: %m");
}

static void on_event(Manager *m, const Event *ev, void *userdata)
{
	BusAdapter *b = userdata;

	/* Disconnected from the bus: clients resynchronise with GetManagedObjects after we are back. */
	if (b->calls.bus)
		emit_event(b->calls.bus, m, ev);
	for (BusPeer *p = b->peers; p; p = p->next)
		if (p->subscribed)
			emit_event(p->bus, m, ev);
}

static int on_reconnect_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	BusAdapter *b = userdata;
	int r;

	r = bus_connect(b);
	if (r >= 0) {
		log_notice("Reconnected to the bus.");
		return sd_event_source_set_enabled(s, SD_EVENT_OFF);
	}
	log_warning_errno(r, "Failed to reconnect to the bus, retrying in 2 s: %m");
	r = sd_event_source_set_time_relative(s, RECONNECT_USEC);
	if (r < 0)
		return r;
	/* A oneshot source is off once it ran: arm it again. */
	return sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
}

static int on_disconnected(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
	BusAdapter *b = userdata;
	int r;

	log_warning("Lost the bus connection; vGPUs stay as they are, reconnecting in 2 s.");
	b->calls.bus = sd_bus_flush_close_unref(b->calls.bus);
	if (!b->reconnect_timer) {
		r = sd_event_add_time_relative(b->calls.manager->event, &b->reconnect_timer, CLOCK_MONOTONIC,
					       RECONNECT_USEC, 0, on_reconnect_timer, b);
		if (r < 0)
			return log_error_errno(r, "Failed to arm the reconnect timer: %m");
	} else {
		(void) sd_event_source_set_time_relative(b->reconnect_timer, RECONNECT_USEC);
	}
	return sd_event_source_set_enabled(b->reconnect_timer, SD_EVENT_ONESHOT);
}

static int bus_connect(BusAdapter *b)
{
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	int r;

	bus_calls_forget_callers();

	if (b->address) {
		r = sd_bus_new(&bus);
		if (r < 0)
			return r;
		r = sd_bus_set_address(bus, b->address);
		if (r < 0)
			return r;
		(void) sd_bus_set_bus_client(bus, true);
		r = sd_bus_start(bus);
	} else
		r = sd_bus_open_system(&bus);
	if (r < 0)
		return log_error_errno(r, "Failed to connect to the %s bus: %m", b->address ? b->address : "system");

	(void) sd_bus_set_exit_on_disconnect(bus, false);
	r = sd_bus_match_signal(bus, NULL, "org.freedesktop.DBus.Local", "/org/freedesktop/DBus/Local",
				"org.freedesktop.DBus.Local", "Disconnected", on_disconnected, b);
	if (r < 0)
		return log_error_errno(r, "Failed to watch for disconnection: %m");
	r = bus_export(b, bus);
	if (r < 0)
		return r;
	r = sd_bus_attach_event(bus, b->calls.manager->event, SD_EVENT_PRIORITY_NORMAL);
	if (r < 0)
		return log_error_errno(r, "Failed to attach the bus to the event loop: %m");
	r = sd_bus_request_name(bus, GVT_BUS_NAME, 0);
	if (r < 0)
		return log_error_errno(r, "Failed to acquire the name %s (another gvtd running? bus policy "
				       "installed?): %m", GVT_BUS_NAME);
	b->calls.bus = TAKE_PTR(bus);
	return 0;
}

int bus_adapter_new(Manager *m, const char *address, const char *private_path, BusAdapter **ret)
{
	BusAdapter *b;
	int r;

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->calls.manager = m;
	if (address && !(b->address = strdup(address))) {
		free(b);
		return -ENOMEM;
	}
	r = bus_connect(b);
	if (r >= 0 && private_path && bus_private_listen(b, private_path) < 0) {
		bus_private_close(b);
		log_warning("Continuing without the private socket: gvtctl talks to gvtd over the bus.");
	}
	if (r >= 0)
		r = manager_subscribe(m, on_event, b);
	if (r < 0) {
		bus_adapter_free(b);
		return r;
	}
	*ret = b;
	return 0;
}

BusAdapter *bus_adapter_free(BusAdapter *b)
{
	if (!b)
		return NULL;
	bus_private_close(b);
	sd_event_source_disable_unref(b->reconnect_timer);
	bus_calls_done(&b->calls);
	sd_bus_flush_close_unref(b->calls.bus);
	free(b->address);
	free(b);
	return NULL;
}
