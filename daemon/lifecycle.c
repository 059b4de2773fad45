// SPDX-License-Identifier: GPL-2.0-only
#include <ctype.h>
#include <errno.h>

#include "capacity.h"
#include "lifecycle.h"
#include "log.h"
#include "manager.h"

/* Shows a caller's string safely in a message: printable ASCII only, cut short. */
static const char *quote(const char *s, char buf[static 48])
{
	size_t i;

	for (i = 0; s[i] && i < 40; i++)
		buf[i] = isprint((unsigned char) s[i]) ? s[i] : '?';
	strcpy(buf + i, s[i] ? "..." : "");
	return buf;
}

int lifecycle_validate_name(const char *what, const char *value, GvtError *e)
{
	char q[48];

	if (isempty(value))
		return gvt_error_set(e, GVT_ERROR_INVALID_ARGUMENT, "No %s given", what);
	if (!gvt_name_is_valid(value))
		return gvt_error_set(e, GVT_ERROR_INVALID_ARGUMENT,
				     "Invalid %s \"%s\": expected 1 to %d of A-Z a-z 0-9 . _ : + -, not \".\" or \"..\"",
				     what, quote(value, q), GVT_NAME_MAX);
	return 0;
}

int lifecycle_validate_uuid(const char *value, char ret[GVT_UUID_STRING_MAX], GvtError *e)
{
	char q[48];

	if (gvt_uuid_normalize(value, ret) < 0)
		return gvt_error_set(e, GVT_ERROR_INVALID_ARGUMENT,
				     "Invalid UUID \"%s\": expected 8-4-4-4-12 hexadecimal digits, "
				     "e.g. 0b9e3a49-83a8-4c4e-9b1b-2f3c7ad2a5e1", quote(strempty(value), q));
	return 0;
}

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

int lifecycle_create(Manager *m, const char *parent, const char *type, const char *uuid,
		     char ret_uuid[GVT_UUID_STRING_MAX], GvtError *e)
{
	_cleanup_free_ char *path = NULL;
	char id[GVT_UUID_STRING_MAX];
	Parent *p = NULL;
	MdevType *t = NULL;
	int r;

	r = lifecycle_validate_name("type", type, e);
	if (r < 0)
		return r;
	if (!isempty(parent)) {
		r = lifecycle_validate_name("parent", parent, e);
		if (r < 0)
			return r;
	}
	if (!isempty(uuid)) {
		r = lifecycle_validate_uuid(uuid, id, e);
		if (r < 0)
			return r;
	} else {
		r = gvt_uuid_generate(id);
		if (r < 0)
			return gvt_error_set_errno(e, r, "Failed to generate a UUID");
	}

	/* Decide on what sysfs says now, not on what the last uevent left. */
	(void) inventory_sync(m);
	if (m->inventory.n_parents == 0)
		return gvt_error_set(e, GVT_ERROR_NOT_READY,
				     "No mdev parent exists (modules state: %s): load the modules with "
				     "\"gvtctl modules load\" and check \"gvtctl modules\"",
				     modules_state_to_string(m->modules.state));
	if (isempty(parent)) {
		r = pick_parent(m, type, &p, e);
		if (r < 0)
			return r;
	} else {
		p = inventory_find_parent(&m->inventory, parent);
		if (!p)
			return gvt_error_set(e, GVT_ERROR_NOT_FOUND,
					     "No mdev parent %s: list the parents with \"gvtctl parents\"", parent);
	}
	r = check_type(m, p, type, &t, e);
	if (r < 0)
		return r;
	if (inventory_find_vgpu(&m->inventory, id))
		return gvt_error_set(e, GVT_ERROR_ALREADY_EXISTS, "A vGPU with UUID %s exists already", id);
	if (t->available == 0)
		return capacity_explain(m->config.root, &m->inventory, p, t, e);

	r = sysfs_path(&path, m->config.root, SYSFS_MDEV_BUS, p->name, SYSFS_TYPES_DIR, t->name, "create", NULL);
	if (r < 0)
		return gvt_error_set_errno(e, r, "Failed to build the create path");
	r = sysfs_write(path, id);
	if (r == -ENOSPC) {
		/* Someone else took the room since we looked, or the kernel's own cap. */
		(void) inventory_sync(m);
		p = inventory_find_parent(&m->inventory, p->name);
		t = p ? parent_find_type(p, type) : NULL;
		if (p && t)
			return capacity_explain(m->config.root, &m->inventory, p, t, e);
	}
	if (r == -EEXIST)
		return gvt_error_set(e, GVT_ERROR_ALREADY_EXISTS,
				     "The kernel already has an mdev device %s (on some parent)", id);
	if (r < 0)
		return gvt_error_set_errno(e, r, "Failed to create a %s vGPU on %s (writing %s)", type, p->name, path);

	log_info("Created vGPU %s (%s on %s).", id, t->name, p->name);
	(void) inventory_sync(m);
	strcpy(ret_uuid, id);
	return 0;
}

int lifecycle_remove(Manager *m, const char *uuid, GvtError *e)
{
	_cleanup_free_ char *path = NULL;
	char id[GVT_UUID_STRING_MAX];
	int r;

	r = lifecycle_validate_uuid(uuid, id, e);
	if (r < 0)
		return r;
	(void) inventory_sync(m);
	if (!inventory_find_vgpu(&m->inventory, id))
		return gvt_error_set(e, GVT_ERROR_NOT_FOUND, "No vGPU %s: list the vGPUs with \"gvtctl list\"", id);

	r = sysfs_path(&path, m->config.root, SYSFS_MDEV_DEVICES, id, "remove", NULL);
	if (r < 0)
		return gvt_error_set_errno(e, r, "Failed to build the remove path");
	r = sysfs_write(path, "1");
	if (r == -ENOENT || r == -ENODEV) {
		/* Removed behind our back between the scan and the write. */
		(void) inventory_sync(m);
		return gvt_error_set(e, GVT_ERROR_NOT_FOUND, "vGPU %s was removed by someone else meanwhile", id);
	}
	if (r == -EBUSY)
		return gvt_error_set(e, GVT_ERROR_BUSY, "vGPU %s is in use (a VM has it open): shut the VM down first", id);
	if (r < 0)
		return gvt_error_set_errno(e, r, "Failed to remove vGPU %s", id);

	log_info("Removed vGPU %s.", id);
	(void) inventory_sync(m);
	return 0;
}
