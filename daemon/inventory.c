// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "inventory.h"
#include "log.h"
#include "macro.h"

static const char *const vgpu_state_names[_VGPU_STATE_MAX] = {
	[VGPU_ACTIVE] = "active",
	[VGPU_REMOVING] = "removing",
};

const char *vgpu_state_to_string(VgpuState s)
{
	return s >= 0 && s < _VGPU_STATE_MAX ? vgpu_state_names[s] : NULL;
}

static int parse_field_uint(const char *value, const char *unit, unsigned *ret)
{
	unsigned long v;
	char *end;

	if (*value < '0' || *value > '9')
		return -EBADMSG;
	errno = 0;
	v = strtoul(value, &end, 10);
	if (errno || v > UINT_MAX || !streq(end, unit))
		return -EBADMSG;
	*ret = v;
	return 0;
}

int mdev_type_description_parse(const char *s, MdevTypeDescription *ret)
{
	enum { LOW = 1, HIGH = 2, FENCE = 4, RES = 8, WEIGHT = 16, ALL = 31 };
	MdevTypeDescription d = {};
	unsigned seen = 0;

	while (*s) {
		const char *nl = strchrnul(s, '\n');
		char line[128], *value;
		size_t n = nl - s;
		int r = 0;

		if (n >= sizeof(line))
			return -EBADMSG;
		memcpy(line, s, n);
		line[n] = '\0';
		s = *nl ? nl + 1 : nl;
		if (n == 0)
			continue;

		value = strstr(line, ": ");
		if (!value)
			return -EBADMSG;
		*value = '\0';
		value += 2;

		if (streq(line, "low_gm_size")) {
			r = parse_field_uint(value, "MB", &d.low_gm_mib);
			seen |= LOW;
		} else if (streq(line, "high_gm_size")) {
			r = parse_field_uint(value, "MB", &d.high_gm_mib);
			seen |= HIGH;
		} else if (streq(line, "fence")) {
			r = parse_field_uint(value, "", &d.fences);
			seen |= FENCE;
		} else if (streq(line, "weight")) {
			r = parse_field_uint(value, "", &d.weight);
			seen |= WEIGHT;
		} else if (streq(line, "resolution")) {
			unsigned w, h;
			int used = 0;

			if (strlen(value) >= sizeof(d.resolution) ||
			    sscanf(value, "%ux%u%n", &w, &h, &used) != 2 || value[used] != '\0')
				return -EBADMSG;
			strcpy(d.resolution, value);
			seen |= RES;
		}
		/* Other keys: a newer kernel may add fields; they do not change these. */
		if (r < 0)
			return r;
	}
	if (seen != ALL)
		return -EBADMSG;
	*ret = d;
	return 0;
}

static void mdev_type_done(MdevType *t)
{
	free(t->name);
	free(t->pretty_name);
	free(t->device_api);
}

static void parent_free(Parent *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_types; i++)
		mdev_type_done(&p->types[i]);
	free(p->types);
	free(p->name);
	free(p->driver);
	free(p);
}
DEFINE_TRIVIAL_CLEANUP_FUNC(Parent *, parent_free)

void vgpu_free(Vgpu *v)
{
	if (!v)
		return;
	free(v->parent);
	free(v->type);
	free(v);
}

void inventory_done(Inventory *inv)
{
	for (size_t i = 0; i < inv->n_parents; i++)
		parent_free(inv->parents[i]);
	for (size_t i = 0; i < inv->n_vgpus; i++)
		vgpu_free(inv->vgpus[i]);
	free(inv->parents);
	free(inv->vgpus);
	*inv = (Inventory) {};
}

int inventory_push(void ***array, size_t *n, void *item)
{
	void **a = realloc(*array, (*n + 1) * sizeof(void *));

	if (!a)
		return -ENOMEM;
	a[(*n)++] = item;
	*array = a;
	return 0;
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

void inventory_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Directory entries with valid names, sorted so scans are reproducible. */
int inventory_list_names(const char *path, char ***ret, size_t *ret_n)
{
	_cleanup_closedir_ DIR *d = NULL;
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;

	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char *s;

		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		if (!gvt_name_is_valid(de->d_name)) {
			log_warning("Ignoring %s/%s: not a name gvtd accepts.", path, de->d_name);
			continue;
		}
		s = strdup(de->d_name);
		if (!s || inventory_push((void ***) &names, &n, s) < 0) {
			free(s);
			inventory_names_free(names, n);
			return -ENOMEM;
		}
	}
	if (n > 0)
		qsort(names, n, sizeof(char *), cmp_strp);
	*ret = names;
	*ret_n = n;
	return 0;
}

/* An attribute that may be missing: NULL then, and only ENOMEM is an error. */
static int read_optional(const char *root, char **ret, const char *base, const char *a, const char *b,
			 const char *c, const char *d)
{
	_cleanup_free_ char *path = NULL;
	int r;

	*ret = NULL;
	r = sysfs_path(&path, root, base, a, b, c, d, NULL);
	if (r < 0)
		return r == -ENOMEM ? r : 0;
	r = sysfs_read(path, ret);
	return r == -ENOMEM ? r : 0;
}

int inventory_read_available(const char *root, const char *parent, const char *type, unsigned *ret)
{
	_cleanup_free_ char *path = NULL;
	int r;

	r = sysfs_path(&path, root, SYSFS_MDEV_BUS, parent, SYSFS_TYPES_DIR, type, "available_instances", NULL);
	if (r < 0)
		return r;
	r = sysfs_read_uint(path, ret);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		log_warning_errno(r, "Failed to read %s, taking 0: %m", path);
		*ret = 0;
	}
	return 0;
}

/* The kernel fixes a type's name, device_api and description when the parent registers. */
static int copy_fixed(const MdevType *from, MdevType *t)
{
	if ((from->pretty_name && !(t->pretty_name = strdup(from->pretty_name))) ||
	    (from->device_api && !(t->device_api = strdup(from->device_api))))
		return -ENOMEM;
	t->described = from->described;
	t->desc = from->desc;
	return 0;
}

static int scan_type(const char *root, const char *parent, const char *name, const MdevType *cached, MdevType *t)
{
	_cleanup_free_ char *desc = NULL;
	int r;

	t->name = strdup(name);
	if (!t->name)
		return -ENOMEM;
	if (cached) {
		r = copy_fixed(cached, t);
		if (r < 0)
			return r;
		return inventory_read_available(root, parent, name, &t->available);
	}
	r = read_optional(root, &t->pretty_name, SYSFS_MDEV_BUS, parent, SYSFS_TYPES_DIR, name, "name");
	if (r < 0)
		return r;
	r = read_optional(root, &t->device_api, SYSFS_MDEV_BUS, parent, SYSFS_TYPES_DIR, name, "device_api");
	if (r < 0)
		return r;
	r = read_optional(root, &desc, SYSFS_MDEV_BUS, parent, SYSFS_TYPES_DIR, name, "description");
	if (r < 0)
		return r;
	if (desc) {
		t->described = mdev_type_description_parse(desc, &t->desc) >= 0;
		if (!t->described)
			log_warning("Type %s of %s: description not in the GVT-g format, sizes unknown.", name, parent);
	}
	return inventory_read_available(root, parent, name, &t->available);
}

static int scan_parent(const char *root, const char *name, const Inventory *cache, Parent **ret)
{
	const Parent *cached;
	_cleanup_(parent_freep) Parent *p = NULL;
	_cleanup_free_ char *path = NULL, *driver = NULL;
	char **types = NULL;
	size_t n_types = 0;
	int r;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->name = strdup(name);
	if (!p->name)
		return -ENOMEM;

	r = sysfs_path(&driver, root, SYSFS_MDEV_BUS, name, "driver", NULL);
	if (r < 0)
		return r;
	r = sysfs_read_link_name(driver, &p->driver);
	if (r == -ENOMEM)
		return r;
	/* A rebind to another driver may bring other types: trust the cache only for the same driver. */
	cached = cache ? inventory_find_parent(cache, name) : NULL;
	if (cached && !streq(strempty(cached->driver), strempty(p->driver)))
		cached = NULL;

	r = sysfs_path(&path, root, SYSFS_MDEV_BUS, name, SYSFS_TYPES_DIR, NULL);
	if (r < 0)
		return r;
	r = inventory_list_names(path, &types, &n_types);
	if (r < 0)
		return r == -ENOMEM ? r : log_warning_errno(r, "Parent %s has no readable %s, skipping: %m", name, path);

	p->types = calloc(n_types ?: 1, sizeof(MdevType));
	if (!p->types) {
		inventory_names_free(types, n_types);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n_types; i++) {
		r = scan_type(root, name, types[i], cached ? parent_find_type(cached, types[i]) : NULL,
			      &p->types[p->n_types++]);
		if (r < 0) {
			inventory_names_free(types, n_types);
			return r;
		}
	}
	inventory_names_free(types, n_types);
	*ret = TAKE_PTR(p);
	return 0;
}

/* mdev_type links to .../<parent>/mdev_supported_types/<type>. */
static int split_type_link(const char *target, char **ret_parent, char **ret_type)
{
	const char *type, *end_parent, *parent;
	char *p, *t;

	type = strrchr(target, '/');
	if (!type || type == target)
		return -EBADMSG;
	end_parent = type - strlen(SYSFS_TYPES_DIR) - 1;
	if (end_parent < target || strncmp(end_parent, "/" SYSFS_TYPES_DIR "/", strlen(SYSFS_TYPES_DIR) + 2) != 0)
		return -EBADMSG;
	parent = end_parent;
	while (parent > target && parent[-1] != '/')
		parent--;
	p = strndup(parent, end_parent - parent);
	t = strdup(type + 1);
	if (!p || !t) {
		free(p);
		free(t);
		return -ENOMEM;
	}
	if (!gvt_name_is_valid(p) || !gvt_name_is_valid(t)) {
		free(p);
		free(t);
		return -EBADMSG;
	}
	*ret_parent = p;
	*ret_type = t;
	return 0;
}

/*
 * Where a vGPU's mdev_type points, as a path ending in
 * <parent>/mdev_supported_types/<type>. The kernel links the device
 * (bus/mdev/devices/<uuid> -> .../<parent>/<uuid>) and its type
 * (mdev_type -> ../mdev_supported_types/<type>) relatively; joining the two
 * links is two syscalls where realpath() takes one per path component, and
 * <uuid> is a real directory, so dropping it for the ".." is exact. Anything
 * else is resolved by realpath().
 */
static int type_link_target(const char *root, const char *name, char target[static PATH_MAX])
{
	_cleanup_free_ char *dev = NULL, *link = NULL;
	char dev_target[PATH_MAX], type_target[PATH_MAX];
	const char *up = "../" SYSFS_TYPES_DIR "/";
	char *slash;
	int r;

	r = sysfs_path(&dev, root, SYSFS_MDEV_DEVICES, name, NULL);
	if (r < 0)
		return r;
	r = sysfs_path(&link, root, SYSFS_MDEV_DEVICES, name, "mdev_type", NULL);
	if (r < 0)
		return r;
	/* Gone, or not linked to its type yet (see retry_later): nothing to resolve either. */
	r = sysfs_read_link(dev, dev_target);
	if (r >= 0)
		r = sysfs_read_link(link, type_target);
	if (r == -ENOENT)
		return r;
	if (r >= 0 && strncmp(type_target, up, strlen(up)) == 0 && !strchr(type_target + strlen(up), '/') &&
	    (slash = strrchr(dev_target, '/')) && streq(slash + 1, name) &&
	    (size_t) snprintf(target, PATH_MAX, "%.*s/%s", (int) (slash - dev_target), dev_target,
			      type_target + 3) < PATH_MAX)
		return 0;
	if (!realpath(link, target))
		return -errno;
	return 0;
}

int inventory_scan_vgpu(const char *root, const char *name, const Inventory *cache, Vgpu **ret)
{
	_cleanup_(vgpu_freep) Vgpu *v = NULL;
	_cleanup_free_ char *id = NULL;
	char target[PATH_MAX];
	int r;

	/* Nothing fixed worth caching (its link and id are two reads), but a removal under way stays one. */
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (gvt_uuid_normalize(name, v->uuid) < 0 || !streq(name, v->uuid))
		return log_warning_errno(EINVAL, "Ignoring mdev device %s: not a lowercase UUID.", name);

	r = type_link_target(root, name, target);
	if (r < 0)
		/* Removed between readdir and here: the next scan will not see it either. */
		return log_debug_errno(r, "mdev device %s vanished while scanning: %m", name);
	r = split_type_link(target, &v->parent, &v->type);
	if (r < 0)
		return r == -ENOMEM ? r : log_warning_errno(r, "Ignoring mdev device %s: mdev_type points to %s.", name, target);

	{
		const Vgpu *had = cache ? inventory_find_vgpu(cache, v->uuid) : NULL;

		v->state = had && had->state == VGPU_REMOVING ? VGPU_REMOVING : VGPU_ACTIVE;
	}
	r = read_optional(root, &id, SYSFS_MDEV_DEVICES, name, "intel_vgpu", "vgpu_id", NULL);
	if (r < 0)
		return r;
	if (id) {
		char *end;
		unsigned long l = strtoul(id, &end, 10);

		v->has_vgpu_id = end != id && *end == '\0' && l <= UINT_MAX;
		v->vgpu_id = v->has_vgpu_id ? l : 0;
	}
	*ret = TAKE_PTR(v);
	return 0;
}

typedef int (*ScanFunc)(const char *root, const char *name, const Inventory *cache, void **ret);

/* Scans each entry of root/base into *items; a missing directory is an empty one. */
static int scan_each(const char *root, const char *base, const Inventory *cache, ScanFunc scan,
		     void (*free_item)(void *), void ***items, size_t *n_items)
{
	_cleanup_free_ char *dir = NULL;
	char **names = NULL;
	size_t n = 0;
	int r;

	r = sysfs_path(&dir, root, base, NULL);
	if (r < 0)
		return r;
	r = inventory_list_names(dir, &names, &n);
	if (r == -ENOENT)
		return 0; /* mdev not loaded: nothing to see */
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		void *item = NULL;

		r = scan(root, names[i], cache, &item);
		if (r == -ENOMEM || (item && inventory_push(items, n_items, item) < 0)) {
			free_item(item);
			inventory_names_free(names, n);
			return -ENOMEM;
		}
	}
	inventory_names_free(names, n);
	return 0;
}

void inventory_describe_vgpu(const Inventory *inv, Vgpu *v)
{
	Parent *p = inventory_find_parent(inv, v->parent);
	MdevType *t = p ? parent_find_type(p, v->type) : NULL;

	if (t && t->described) {
		v->described = true;
		v->desc = t->desc;
	}
}

int inventory_scan(const char *root, const Inventory *cache, Inventory *ret)
{
	Inventory inv = {};
	int r;

	r = scan_each(root, SYSFS_MDEV_BUS, cache, (ScanFunc) scan_parent, (void (*)(void *)) parent_free,
		      (void ***) &inv.parents, &inv.n_parents);
	if (r >= 0)
		r = scan_each(root, SYSFS_MDEV_DEVICES, cache, (ScanFunc) inventory_scan_vgpu, (void (*)(void *)) vgpu_free,
			      (void ***) &inv.vgpus, &inv.n_vgpus);
	if (r < 0) {
		inventory_done(&inv);
		return r;
	}

	for (size_t i = 0; i < inv.n_vgpus; i++)
		inventory_describe_vgpu(&inv, inv.vgpus[i]);
	*ret = inv;
	return 0;
}

Parent *inventory_find_parent(const Inventory *inv, const char *name)
{
	for (size_t i = 0; name && i < inv->n_parents; i++)
		if (streq(inv->parents[i]->name, name))
			return inv->parents[i];
	return NULL;
}

Vgpu *inventory_find_vgpu(const Inventory *inv, const char *uuid)
{
	for (size_t i = 0; uuid && i < inv->n_vgpus; i++)
		if (streq(inv->vgpus[i]->uuid, uuid))
			return inv->vgpus[i];
	return NULL;
}

MdevType *parent_find_type(const Parent *p, const char *type)
{
	for (size_t i = 0; type && i < p->n_types; i++)
		if (streq(p->types[i].name, type))
			return &p->types[i];
	return NULL;
}

const MdevType *inventory_find_type_anywhere(const Inventory *inv, const char *parent, const char *type)
{
	const Parent *p = inventory_find_parent(inv, parent);
	const MdevType *t = p ? parent_find_type(p, type) : NULL;

	for (size_t i = 0; !t && i < inv->n_parents; i++)
		t = parent_find_type(inv->parents[i], type);
	return t;
}

size_t inventory_count_parents_with_type(const Inventory *inv, const char *type)
{
	size_t n = 0;

	for (size_t i = 0; i < inv->n_parents; i++)
		if (parent_find_type(inv->parents[i], type))
			n++;
	return n;
}

static bool parent_equal(const Parent *a, const Parent *b)
{
	if (a->n_types != b->n_types || !streq(strempty(a->driver), strempty(b->driver)))
		return false;
	for (size_t i = 0; i < a->n_types; i++) {
		const MdevType *x = &a->types[i], *y = &b->types[i];

		if (!streq(x->name, y->name) || x->available != y->available ||
		    !streq(strempty(x->pretty_name), strempty(y->pretty_name)) ||
		    x->described != y->described || memcmp(&x->desc, &y->desc, sizeof(x->desc)) != 0)
			return false;
	}
	return true;
}

bool inventory_vgpu_equal(const Vgpu *a, const Vgpu *b)
{
	return streq(a->parent, b->parent) && streq(a->type, b->type) && a->state == b->state &&
	       a->has_vgpu_id == b->has_vgpu_id && a->vgpu_id == b->vgpu_id && a->described == b->described &&
	       memcmp(&a->desc, &b->desc, sizeof(a->desc)) == 0;
}

void inventory_diff(const Inventory *old, const Inventory *new, const InventoryDiffOps *ops, void *userdata)
{
	/* Removals first, so a client never sees two objects for one path. */
	for (size_t i = 0; i < old->n_vgpus; i++)
		if (!inventory_find_vgpu(new, old->vgpus[i]->uuid) && ops->vgpu_removed)
			ops->vgpu_removed(old->vgpus[i], userdata);
	for (size_t i = 0; i < old->n_parents; i++)
		if (!inventory_find_parent(new, old->parents[i]->name) && ops->parent_removed)
			ops->parent_removed(old->parents[i], userdata);

	for (size_t i = 0; i < new->n_parents; i++) {
		const Parent *p = new->parents[i], *o = inventory_find_parent(old, p->name);

		if (!o) {
			if (ops->parent_added)
				ops->parent_added(p, userdata);
		} else if (!parent_equal(o, p) && ops->parent_changed)
			ops->parent_changed(p, userdata);
	}
	for (size_t i = 0; i < new->n_vgpus; i++) {
		const Vgpu *v = new->vgpus[i], *o = inventory_find_vgpu(old, v->uuid);

		if (!o) {
			if (ops->vgpu_added)
				ops->vgpu_added(v, userdata);
		} else if (!inventory_vgpu_equal(o, v) && ops->vgpu_changed)
			ops->vgpu_changed(o, v, userdata);
	}
}

