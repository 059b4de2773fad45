// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>

#include "callouts.h"
#include "capacity.h"
#include "kernel.h"
#include "lifecycle.h"
#include "device-ops.h"
#include "log.h"
#include "manager.h"

static int pick_parent(Manager *m, const char *type, Parent **ret, GvtError *e)
{
	Parent *first = NULL;

	for (size_t i = 0; i < m->inventory.n_parents; i++) {
		Parent *p = m->inventory.parents[i];
		MdevType *t = parent_find_type(p, type);

		if (!t)
			continue;
		if (t->available > 0) {
			*ret = p;
			return 0;
		}
		if (!first)
			first = p;
	}
	if (!first)
		return gvt_error_set(e, GVT_ERROR_NOT_FOUND,
				     "No parent offers type %s: list the types with \"gvtctl types\"", type);
	/* All full: report on the first, which explains the capacity error. */
	*ret = first;
	return 0;
}

static int check_type(Manager *m, Parent *p, const char *type, MdevType **ret, GvtError *e)
{
	MdevType *t = parent_find_type(p, type);

	if (t) {
		*ret = t;
		return 0;
	}
	if (inventory_count_parents_with_type(&m->inventory, type) > 0)
		return gvt_error_set(e, GVT_ERROR_NOT_FOUND,
				     "Type %s belongs to another parent, not %s: see \"gvtctl types --parent %s\"",
				     type, p->name, p->name);
	return gvt_error_set(e, GVT_ERROR_NOT_FOUND, "Parent %s has no type %s: see \"gvtctl types --parent %s\"",
			     p->name, type, p->name);
}

int lifecycle_resolve_type(Manager *m, const char *parent, const char *type, const char **ret, GvtError *e)
{
	const char *found[8];
	size_t n = 0;

	*ret = type;
	for (size_t i = 0; i < m->inventory.n_parents; i++) {
		const Parent *p = m->inventory.parents[i];

		if (!isempty(parent) && !streq(parent, p->name))
			continue;
		if (parent_find_type(p, type))
			return 0;
		for (size_t j = 0; j < p->n_types; j++) {
			bool seen = false;

			if (!streq(strempty(p->types[j].pretty_name), type))
				continue;
			for (size_t k = 0; k < n && !seen; k++)
				seen = streq(found[k], p->types[j].name);
			if (!seen && n < ELEMENTSOF(found))
				found[n++] = p->types[j].name;
		}
	}
	if (n == 1)
		*ret = found[0];
	if (n <= 1)
		return 0;
	{
		char list[GVT_ERROR_MESSAGE_MAX / 2] = "";
		char q[48];

		for (size_t k = 0; k < n; k++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", k ? ", " : "", found[k]);
		return gvt_error_set(e, GVT_ERROR_INVALID_ARGUMENT,
				     "Type name %s is ambiguous%s%s: it is the short name of %s; give one of these "
				     "(or a parent)", validate_quote(type, q), isempty(parent) ? "" : " on ", strempty(parent),
				     list);
	}
}

int lifecycle_resolve(Manager *m, const VgpuSpec *spec, bool need_room, Parent **ret_parent,
		      MdevType **ret_type, char ret_uuid[GVT_UUID_STRING_MAX], GvtError *e)
{
	const char *type;
	Parent *p = NULL;
	int r;

	r = validate_name("type", spec->type, e);
	if (r >= 0 && !isempty(spec->parent))
		r = validate_name("parent", spec->parent, e);
	if (r >= 0 && !isempty(spec->owner))
		r = validate_owner(spec->owner, e);
	if (r >= 0)
		r = validate_attrs(spec->attrs, spec->n_attrs, e);
	if (r < 0)
		return r;
	if (!isempty(spec->uuid)) {
		r = validate_uuid(spec->uuid, ret_uuid, e);
		if (r < 0)
			return r;
	} else {
		r = gvt_uuid_generate(ret_uuid);
		if (r < 0)
			return gvt_error_set_errno(e, r, "Failed to generate a UUID");
	}

	/* Decide on what the uevents received so far say; with no parent at all, on a fresh look. */
	inventory_flush(m);
	if (m->inventory.n_parents == 0)
		(void) inventory_sync(m);
	if (m->inventory.n_parents == 0)
		return gvt_error_set(e, GVT_ERROR_NOT_READY,
				     "No mdev parent exists (modules state: %s): load the modules with "
				     "\"gvtctl modules load\" and check \"gvtctl modules\"",
				     modules_state_to_string(m->modules.state));
	r = lifecycle_resolve_type(m, spec->parent, spec->type, &type, e);
	if (r < 0)
		return r;
	if (isempty(spec->parent)) {
		r = pick_parent(m, type, &p, e);
		if (r < 0)
			return r;
	} else {
		p = inventory_need_parent(m, spec->parent);
		if (!p)
			return gvt_error_set(e, GVT_ERROR_NOT_FOUND,
					     "No mdev parent %s: list the parents with \"gvtctl parents\"", spec->parent);
	}
	r = check_type(m, p, type, ret_type, e);
	if (r < 0)
		return r;
	/* Room is what changes behind gvtd's back between uevents (or polls): reread just this parent's. */
	if (need_room)
		(void) inventory_sync_type_available(m, p->name, (*ret_type)->name);
	if (need_room && (*ret_type)->available == 0)
		return capacity_explain(m->config.root, &m->inventory, p, *ret_type, e);
	*ret_parent = p;
	return 0;
}

/* What the kernel said of a create, as the caller's error; on success the inventory has the vGPU. */
static int create_ended(Manager *m, const char *parent, const char *type, const char *id, const Attr *attrs,
			size_t n_attrs, const DeviceOpResult *res, GvtError *e)
{
	int r = res->r;

	if (r >= 0) {
		log_info("Created vGPU %s (%s on %s).", id, type, parent);
		/* Just this vGPU and its parent's room changed; the uevent, when it comes, rereads the same. */
		(void) inventory_sync_vgpu(m, id);
		return 0;
	}
	if (res->failed_attr < n_attrs) {
		const Attr *a = &attrs[res->failed_attr];

		if (res->undo_r < 0)
			log_error("Failed to remove vGPU %s after its attribute failed; remove it by hand.", id);
		(void) inventory_sync_vgpu(m, id);
		return gvt_error_set(e, r == -ENOENT ? GVT_ERROR_INVALID_ARGUMENT : gvt_error_kind_from_errno(r),
				     "Writing attribute %zu of %zu, %s=\"%s\", to vGPU %s failed, so it was "
				     "removed again: %s", res->failed_attr + 1, n_attrs, a->name, a->value, id,
				     r == -ENOENT ? "the vGPU has no such attribute" : strerror(-r));
	}
	if (r == -ENOSPC) {
		/* Someone else took the room since we looked, or the kernel's own cap. */
		Parent *p;
		MdevType *t;

		(void) inventory_sync_available(m, parent);
		p = inventory_find_parent(&m->inventory, parent);
		t = p ? parent_find_type(p, type) : NULL;
		if (p && t)
			return capacity_explain(m->config.root, &m->inventory, p, t, e);
	}
	if (r == -EEXIST)
		return gvt_error_set(e, GVT_ERROR_ALREADY_EXISTS,
				     "The kernel already has an mdev device %s (on some parent)", id);
	{
		_cleanup_free_ char *path = NULL;

		(void) sysfs_path(&path, m->config.root, SYSFS_MDEV_BUS, parent, SYSFS_TYPES_DIR, type, "create", NULL);
		return gvt_error_set_errno(e, r, "Failed to create a %s vGPU on %s (writing %s)", type, parent,
					   strempty(path));
	}
}

/* Before a create: the caller's freshness step read this UUID; nothing under way for it. */
static int create_checks(Manager *m, const char *id, GvtError *e)
{
	int r = lifecycle_refuse_if_busy(m, id, e);

	/* The kernel would say EEXIST, but not which parent. */
	if (r >= 0 && inventory_find_vgpu(&m->inventory, id))
		r = gvt_error_set(e, GVT_ERROR_ALREADY_EXISTS, "A vGPU with UUID %s exists already", id);
	return r;
}

int lifecycle_create_device(Manager *m, Parent *p, MdevType *t, const char *id, const Attr *attrs,
			    size_t n_attrs, GvtError *e)
{
	_cleanup_free_ char *parent = NULL, *type = NULL;
	DeviceOpResult res;
	int r;

	r = create_checks(m, id, e);
	if (r < 0)
		return r;
	/* p and t point into the inventory, which a rescan replaces. */
	parent = strdup(p->name);
	type = strdup(t->name);
	if (!parent || !type)
		return gvt_error_set_errno(e, ENOMEM, "Failed to create a vGPU");
	device_create_now(m->config.root, parent, type, id, attrs, n_attrs, &res);
	return create_ended(m, parent, type, id, attrs, n_attrs, &res, e);
}

OperationCall *operation_call_new(const char *uuid, OperationDone done, void *userdata, GvtError *e)
{
	OperationCall *c = calloc(1, sizeof(*c));

	if (!c) {
		(void) gvt_error_set_errno(e, ENOMEM, "Out of memory for vGPU %s", uuid);
		return NULL;
	}
	*c = (OperationCall) { .done = done, .userdata = userdata };
	snprintf(c->uuid, sizeof(c->uuid), "%s", uuid);
	return c;
}

void operation_call_end(Manager *m, OperationCall *c, int r, const GvtError *e)
{
	callouts_post(&c->callouts, r >= 0);
	c->done(m, r, e, c->userdata);
	free(c);
}

void operation_call_cancel(OperationCall *c)
{
	callouts_post(&c->callouts, false);
	free(c);
}

typedef struct CreateCall {
	char *parent, *type;
	Attr *attrs;              /* the error message names the failing one */
	size_t n_attrs;
	OperationDone done;
	void *userdata;
} CreateCall;

static void create_call_free(CreateCall *c)
{
	attrs_free(c->attrs, c->n_attrs);
	free(c->parent);
	free(c->type);
	free(c);
}

static void on_created(Manager *m, const char *uuid, const DeviceOpResult *res, void *userdata)
{
	CreateCall *c = userdata;
	GvtError e = {};
	int r;

	r = create_ended(m, c->parent, c->type, uuid, c->attrs, c->n_attrs, res, &e);
	c->done(m, r, &e, c->userdata);
	create_call_free(c);
}

int lifecycle_create_device_async(Manager *m, Parent *p, MdevType *t, const char *id, const Attr *attrs,
				  size_t n_attrs, const char *owner, const Usage *usage, OperationDone done,
				  void *userdata, GvtError *e)
{
	CreateCall *c;
	int r;

	r = create_checks(m, id, e);
	if (r < 0)
		return r;
	c = calloc(1, sizeof(*c));
	if (!c)
		return gvt_error_set_errno(e, ENOMEM, "Failed to create a vGPU");
	*c = (CreateCall) { .n_attrs = n_attrs, .done = done, .userdata = userdata };
	c->parent = strdup(p->name);
	c->type = strdup(t->name);
	r = c->parent && c->type ? attrs_copy(attrs, n_attrs, &c->attrs) : -ENOMEM;
	if (r >= 0)
		r = device_ops_create(m, c->parent, c->type, id, attrs, n_attrs, owner, usage, on_created, c);
	if (r < 0) {
		create_call_free(c);
		return gvt_error_set_errno(e, r, "Failed to start creating vGPU %s", id);
	}
	return 0;
}

/*
 * The kernel holds the removal of an open vGPU until its user closes it
 * (vfio asks the user through the request IRQ), and gvtd's one thread with
 * it: refuse while the gvt genl family says it is open. An open between this
 * check and the write (or a kernel without the family, kvmgt) is held off
 * the loop (lifecycle_remove_device_async).
 */
static int refuse_if_open(Manager *m, const char *id, GvtError *e)
{
	_cleanup_free_ char *comm = NULL;
	uint32_t pid;

	openers_sync(m);
	pid = openers_pid(m, id);
	if (!pid)
		return 0;
	(void) kernel_process_name(pid, &comm);
	return gvt_error_set(e, GVT_ERROR_BUSY,
			     "vGPU %s is open by process %u%s%s%s: shut its VM down or unplug the device first "
			     "(the kernel would hold the removal until the device is closed)",
			     id, pid, comm ? " (" : "", strempty(comm), comm ? ")" : "");
}

/* An operation under way (device-ops.c) makes every other on the vGPU wait its end. */
int lifecycle_refuse_if_busy(Manager *m, const char *id, GvtError *e)
{
	DeviceOpKind kind;

	if (!device_ops_pending(m, id, &kind))
		return 0;
	if (kind == DEVICE_OP_CREATE)
		return gvt_error_set(e, GVT_ERROR_BUSY, "vGPU %s is being created: try again once that ended", id);
	return gvt_error_set(e, GVT_ERROR_BUSY, "vGPU %s is being removed: the kernel holds the removal until its "
			     "user closes it (\"gvtctl list\" shows it as removing); try again after", id);
}

/* Before a remove: none under way, not open. */
static int remove_checks(Manager *m, const char *id, GvtError *e)
{
	int r = lifecycle_refuse_if_busy(m, id, e);

	return r < 0 ? r : refuse_if_open(m, id, e);
}

/* What the remove's write said, as the caller's error; the inventory reread either way. */
static int remove_ended(Manager *m, const char *id, int r, GvtError *e)
{
	if (r == -ENOENT || r == -ENODEV) {
		/* Removed behind our back between the scan and the write. */
		(void) inventory_sync_vgpu(m, id);
		return gvt_error_set(e, GVT_ERROR_NOT_FOUND, "vGPU %s was removed by someone else meanwhile", id);
	}
	if (r == -EBUSY)
		return gvt_error_set(e, GVT_ERROR_BUSY, "vGPU %s is in use (a VM has it open): shut the VM down first", id);
	if (r < 0)
		return gvt_error_set_errno(e, r, "Failed to remove vGPU %s", id);

	log_info("Removed vGPU %s.", id);
	(void) inventory_sync_vgpu(m, id);
	return 0;
}

int lifecycle_remove_device(Manager *m, const char *id, GvtError *e)
{
	int r;

	r = remove_checks(m, id, e);
	if (r < 0)
		return r;
	return remove_ended(m, id, kernel_vgpu_remove(m->config.root, id), e);
}

typedef struct RemoveCall {
	OperationDone done;
	void *userdata;
} RemoveCall;

static void on_removed(Manager *m, const char *uuid, const DeviceOpResult *res, void *userdata)
{
	RemoveCall *c = userdata;
	GvtError e = {};
	int r;

	r = remove_ended(m, uuid, res->r, &e);
	c->done(m, r, &e, c->userdata);
	free(c);
}

int lifecycle_remove_device_async(Manager *m, const char *id, OperationDone done, void *userdata, GvtError *e)
{
	RemoveCall *c;
	int r;

	r = remove_checks(m, id, e);
	if (r < 0)
		return r;
	c = malloc(sizeof(*c));
	if (!c)
		return gvt_error_set_errno(e, ENOMEM, "Failed to remove vGPU %s", id);
	*c = (RemoveCall) { .done = done, .userdata = userdata };
	r = device_ops_remove(m, id, on_removed, c);
	if (r < 0) {
		free(c);
		return gvt_error_set_errno(e, r, "Failed to start removing vGPU %s", id);
	}
	return 0;
}
