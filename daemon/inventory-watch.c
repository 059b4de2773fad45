// SPDX-License-Identifier: GPL-2.0-only
/*
 * The live inventory: m->inventory kept true to sysfs from uevents
 * (coalesced once per event-loop iteration), a poll where there is no udev,
 * and second looks at half-made devices; each difference an event. The
 * scanning, parsing and diffing it applies are inventory.c's, which needs
 * no loop.
 */
#include <errno.h>
#include <unistd.h>

#include "inventory-watch.h"
#include "log.h"
#include "manager.h"

static void on_vgpu_added(const Vgpu *v, void *userdata)
{
	log_info("vGPU %s (%s on %s) appeared.", v->uuid, v->type, v->parent);
	manager_emit(userdata, EVENT_VGPU_ADDED, v, NULL);
}

static void on_vgpu_removed(const Vgpu *v, void *userdata)
{
	log_info("vGPU %s (%s on %s) is gone.", v->uuid, v->type, v->parent);
	manager_emit(userdata, EVENT_VGPU_REMOVED, v, NULL);
}

static void on_vgpu_changed(const Vgpu *old, const Vgpu *v, void *userdata)
{
	manager_emit(userdata, old->state != v->state ? EVENT_VGPU_STATE_CHANGED : EVENT_VGPU_CHANGED, v, NULL);
}

static void on_parent_added(const Parent *p, void *userdata)
{
	log_info("mdev parent %s (driver %s, %zu types) appeared.", p->name, strempty(p->driver), p->n_types);
	manager_emit(userdata, EVENT_PARENT_ADDED, NULL, p);
}

static void on_parent_removed(const Parent *p, void *userdata)
{
	log_info("mdev parent %s is gone.", p->name);
	manager_emit(userdata, EVENT_PARENT_REMOVED, NULL, p);
}

static void on_parent_changed(const Parent *p, void *userdata)
{
	manager_emit(userdata, EVENT_PARENT_CHANGED, NULL, p);
}

static const InventoryDiffOps manager_diff_ops = {
	.vgpu_added = on_vgpu_added,
	.vgpu_removed = on_vgpu_removed,
	.vgpu_changed = on_vgpu_changed,
	.parent_added = on_parent_added,
	.parent_removed = on_parent_removed,
	.parent_changed = on_parent_changed,
};

#define VGPU_RETRY_USEC 20000ULL
#define VGPU_RETRY_MAX 100  /* 2 s */

static void retry_forget(Manager *m, const char *uuid)
{
	for (size_t i = 0; i < m->inventory_watch.n_vgpu_retry; i++)
		if (streq(m->inventory_watch.vgpu_retry[i].uuid, uuid)) {
			m->inventory_watch.vgpu_retry[i] = m->inventory_watch.vgpu_retry[--m->inventory_watch.n_vgpu_retry];
			return;
		}
}

static int on_vgpu_retry(sd_event_source *s, uint64_t usec, void *userdata)
{
	Manager *m = userdata;
	char uuids[ELEMENTSOF(m->inventory_watch.vgpu_retry)][GVT_UUID_STRING_MAX];
	size_t n = m->inventory_watch.n_vgpu_retry;

	/* A copy: each sync may queue its vGPU again, or drop it. */
	for (size_t i = 0; i < n; i++)
		strcpy(uuids[i], m->inventory_watch.vgpu_retry[i].uuid);
	for (size_t i = 0; i < n; i++)
		(void) inventory_sync_vgpu(m, uuids[i]);
	return 0;
}

/* The device of uuid exists but could not be read whole: read it again a little later. */
static void retry_later(Manager *m, const char *uuid)
{
	size_t i;
	int r;

	for (i = 0; i < m->inventory_watch.n_vgpu_retry && !streq(m->inventory_watch.vgpu_retry[i].uuid, uuid); i++)
		;
	if (i == m->inventory_watch.n_vgpu_retry) {
		if (i == ELEMENTSOF(m->inventory_watch.vgpu_retry)) {
			log_warning("Too many half-made mdev devices at once; %s is seen at its next uevent.", uuid);
			return;
		}
		strcpy(m->inventory_watch.vgpu_retry[i].uuid, uuid);
		m->inventory_watch.vgpu_retry[i].tries = 0;
		m->inventory_watch.n_vgpu_retry++;
	}
	if (++m->inventory_watch.vgpu_retry[i].tries > VGPU_RETRY_MAX) {
		log_warning("mdev device %s still has no mdev_type after %llu ms; ignoring it until its next uevent.",
			    uuid, VGPU_RETRY_MAX * VGPU_RETRY_USEC / 1000);
		retry_forget(m, uuid);
		return;
	}
	if (!m->event)
		return; /* tests without an event loop */
	if (!m->inventory_watch.vgpu_retry_timer)
		r = sd_event_add_time_relative(m->event, &m->inventory_watch.vgpu_retry_timer, CLOCK_MONOTONIC, VGPU_RETRY_USEC, 0,
					       on_vgpu_retry, m);
	else
		r = sd_event_source_set_time_relative(m->inventory_watch.vgpu_retry_timer, VGPU_RETRY_USEC);
	if (r >= 0)
		r = sd_event_source_set_enabled(m->inventory_watch.vgpu_retry_timer, SD_EVENT_ONESHOT);
	if (r < 0)
		log_warning_errno(r, "Failed to schedule a second look at mdev device %s: %m", uuid);
}

static bool vgpu_device_exists(Manager *m, const char *uuid)
{
	_cleanup_free_ char *path = NULL;

	return sysfs_path(&path, m->config.root, SYSFS_MDEV_DEVICES, uuid, NULL) >= 0 && access(path, F_OK) >= 0;
}

/* After a full scan: the devices it had to skip because they were not whole yet. */
static void retry_half_made(Manager *m)
{
	_cleanup_free_ char *dir = NULL;
	char **names = NULL;
	size_t n = 0;

	if (sysfs_path(&dir, m->config.root, SYSFS_MDEV_DEVICES, NULL) < 0 || inventory_list_names(dir, &names, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++)
		if (!inventory_find_vgpu(&m->inventory, names[i]) && gvt_uuid_normalize(names[i], (char[GVT_UUID_STRING_MAX]) {}) >= 0)
			retry_later(m, names[i]);
	inventory_names_free(names, n);
}

int inventory_sync(Manager *m)
{
	Inventory old, fresh;
	int r;

	r = inventory_scan(m->config.root, &m->inventory, &fresh);
	if (r < 0)
		return log_warning_errno(r, "Failed to read the mdev inventory, keeping the last one: %m");
	/* Handlers look objects up in m->inventory, so it is the new one while they run. */
	old = m->inventory;
	m->inventory = fresh;
	inventory_diff(&old, &m->inventory, &manager_diff_ops, m);
	inventory_done(&old);
	retry_half_made(m);
	return 0;
}

int inventory_sync_available(Manager *m, const char *parent)
{
	Parent *p = inventory_find_parent(&m->inventory, parent);
	bool changed = false;
	int r;

	if (!p)
		return -ENOENT;
	for (size_t i = 0; i < p->n_types; i++) {
		unsigned n;

		r = inventory_read_available(m->config.root, p->name, p->types[i].name, &n);
		if (r < 0)
			return r;
		changed = changed || n != p->types[i].available;
		p->types[i].available = n;
	}
	if (changed)
		on_parent_changed(p, m);
	return 0;
}

int inventory_sync_type_available(Manager *m, const char *parent, const char *type)
{
	Parent *p = inventory_find_parent(&m->inventory, parent);
	MdevType *t = p ? parent_find_type(p, type) : NULL;
	unsigned n;
	int r;

	if (!t)
		return -ENOENT;
	r = inventory_read_available(m->config.root, p->name, t->name, &n);
	if (r < 0)
		return r;
	if (n == t->available)
		return 0;
	t->available = n;
	on_parent_changed(p, m);
	return 0;
}

static void vgpus_take(Inventory *inv, size_t i)
{
	memmove(&inv->vgpus[i], &inv->vgpus[i + 1], (inv->n_vgpus - i - 1) * sizeof(Vgpu *));
	inv->n_vgpus--;
}

int inventory_sync_vgpu(Manager *m, const char *uuid)
{
	_cleanup_(vgpu_freep) Vgpu *fresh = NULL, *gone = NULL;
	_cleanup_free_ char *parent = NULL;
	Vgpu *old = NULL;
	size_t i;
	int r;

	r = inventory_scan_vgpu(m->config.root, uuid, &m->inventory, &fresh);
	if (r == -ENOMEM)
		return r;
	if (!fresh && vgpu_device_exists(m, uuid))
		retry_later(m, uuid);
	else
		retry_forget(m, uuid);
	for (i = 0; i < m->inventory.n_vgpus; i++)
		if (streq(m->inventory.vgpus[i]->uuid, uuid)) {
			old = m->inventory.vgpus[i];
			break;
		}
	if (fresh)
		inventory_describe_vgpu(&m->inventory, fresh);
	if (!fresh && !old)
		return 0;
	if (fresh && old && inventory_vgpu_equal(old, fresh))
		return 0;

	parent = strdup(fresh ? fresh->parent : old->parent);
	if (!parent)
		return -ENOMEM;
	/* As in inventory_sync: handlers look objects up, so m->inventory is the new state while they run. */
	if (!fresh) {
		gone = old;
		vgpus_take(&m->inventory, i);
		on_vgpu_removed(gone, m);
	} else if (!old) {
		Vgpu *v = fresh;

		r = inventory_push((void ***) &m->inventory.vgpus, &m->inventory.n_vgpus, v);
		if (r < 0)
			return r;
		fresh = NULL;
		on_vgpu_added(v, m);
	} else {
		Vgpu *v = fresh;

		gone = old;
		m->inventory.vgpus[i] = TAKE_PTR(fresh);
		on_vgpu_changed(gone, v, m);
	}
	/* A vGPU came or went: that changes what its parent has room for, nothing else does. */
	r = inventory_sync_available(m, parent);
	return r == -ENOENT ? 0 : r;
}

Parent *inventory_need_parent(Manager *m, const char *name)
{
	Parent *p = inventory_find_parent(&m->inventory, name);

	if (!p) {
		(void) inventory_sync(m);
		p = inventory_find_parent(&m->inventory, name);
	}
	return p;
}

void inventory_flush(Manager *m)
{
	char uuids[ELEMENTSOF(m->inventory_watch.rescan_vgpus)][GVT_UUID_STRING_MAX];
	size_t n = m->inventory_watch.n_rescan_vgpus;

	/* A copy: the event handlers run below, and what they do must not touch the list being walked. */
	memcpy(uuids, m->inventory_watch.rescan_vgpus, n * sizeof(uuids[0]));

	if (m->inventory_watch.rescan_defer)
		(void) sd_event_source_set_enabled(m->inventory_watch.rescan_defer, SD_EVENT_OFF);
	m->inventory_watch.n_rescan_vgpus = 0;
	if (m->inventory_watch.rescan_all) {
		m->inventory_watch.rescan_all = false;
		(void) inventory_sync(m);
		return;
	}
	for (size_t i = 0; i < n; i++)
		(void) inventory_sync_vgpu(m, uuids[i]);
}

static int on_rescan_defer(sd_event_source *s, void *userdata)
{
	inventory_flush(userdata);
	return 0;
}

/* Queues the uevent's work for one rescan at the end of this loop iteration: udev relays
 * several uevents per create or bind, and each full rescan reads every parent and type. */
static int on_uevent(sd_device_monitor *monitor, sd_device *device, void *userdata)
{
	Manager *m = userdata;
	const char *subsystem = NULL, *sysname = NULL;
	char uuid[GVT_UUID_STRING_MAX];
	int r;

	(void) sd_device_get_subsystem(device, &subsystem);
	(void) sd_device_get_sysname(device, &sysname);
	if (!m->inventory_watch.rescan_all) {
		/* An mdev device is a vGPU: reread just it. Anything else may add or drop parents. */
		if (streq(strempty(subsystem), "mdev") && sysname && gvt_uuid_normalize(sysname, uuid) >= 0 &&
		    m->inventory_watch.n_rescan_vgpus < ELEMENTSOF(m->inventory_watch.rescan_vgpus)) {
			size_t i;

			for (i = 0; i < m->inventory_watch.n_rescan_vgpus && !streq(m->inventory_watch.rescan_vgpus[i], uuid); i++)
				;
			if (i == m->inventory_watch.n_rescan_vgpus)
				strcpy(m->inventory_watch.rescan_vgpus[m->inventory_watch.n_rescan_vgpus++], uuid);
		} else
			m->inventory_watch.rescan_all = true;
	}
	if (!m->inventory_watch.rescan_defer) {
		r = sd_event_add_defer(m->event, &m->inventory_watch.rescan_defer, on_rescan_defer, m);
		if (r < 0) {
			/* No deferred source: rescan now, as correct as before, only slower. */
			log_warning_errno(r, "Failed to defer the rescan, doing it now: %m");
			inventory_flush(m);
			return 0;
		}
		(void) sd_event_source_set_description(m->inventory_watch.rescan_defer, "inventory-rescan");
	}
	(void) sd_event_source_set_enabled(m->inventory_watch.rescan_defer, SD_EVENT_ONESHOT);
	return 0;
}

static int on_resync_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	Manager *m = userdata;

	(void) inventory_sync(m);
	return sd_event_source_set_time_relative(s, 1000000ULL);
}

static int start_monitor(Manager *m)
{
	/* mdev: vGPUs; the parents' buses: parents come and go with driver binds; module: loads. */
	static const char *const subsystems[] = { "mdev", "pci", "platform", "auxiliary", "module" };
	int r;

	r = sd_device_monitor_new(&m->inventory_watch.monitor);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ELEMENTSOF(subsystems); i++) {
		r = sd_device_monitor_filter_add_match_subsystem_devtype(m->inventory_watch.monitor, subsystems[i], NULL);
		if (r < 0)
			return r;
	}
	r = sd_device_monitor_attach_event(m->inventory_watch.monitor, m->event);
	if (r < 0)
		return r;
	(void) sd_device_monitor_set_description(m->inventory_watch.monitor, "mdev-monitor");
	return sd_device_monitor_start(m->inventory_watch.monitor, on_uevent, m);
}

int inventory_start(Manager *m)
{
	int r;

	/* udev relays the uevents; without it (containers, the test VM) poll sysfs instead. */
	if (access("/run/udev/control", F_OK) >= 0) {
		r = start_monitor(m);
		if (r < 0)
			return log_error_errno(r, "Failed to start the uevent monitor: %m");
	} else {
		log_notice("udev is not running: polling sysfs every second for vGPU changes.");
		r = sd_event_add_time_relative(m->event, &m->inventory_watch.resync_timer, CLOCK_MONOTONIC, 1000000ULL, 0,
					       on_resync_timer, m);
		if (r < 0)
			return log_error_errno(r, "Failed to arm the sysfs poll timer: %m");
		r = sd_event_source_set_enabled(m->inventory_watch.resync_timer, SD_EVENT_ON);
		if (r < 0)
			return log_error_errno(r, "Failed to enable the sysfs poll timer: %m");
	}
	return inventory_sync(m);
}

void inventory_stop(Manager *m)
{
	m->inventory_watch.monitor = sd_device_monitor_unref(m->inventory_watch.monitor);
	m->inventory_watch.rescan_defer = sd_event_source_disable_unref(m->inventory_watch.rescan_defer);
	m->inventory_watch.resync_timer = sd_event_source_disable_unref(m->inventory_watch.resync_timer);
	m->inventory_watch.vgpu_retry_timer = sd_event_source_disable_unref(m->inventory_watch.vgpu_retry_timer);
	m->inventory_watch.n_vgpu_retry = 0;
}
