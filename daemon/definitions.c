// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>

#include "capacity.h"
#include "callouts.h"
#include "definitions.h"
#include "log.h"
#include "manager.h"
#include "owners.h"

static Definition *find_in(Definition **list, size_t n, const char *uuid)
{
	for (size_t i = 0; uuid && i < n; i++)
		if (streq(list[i]->uuid, uuid))
			return list[i];
	return NULL;
}

Definition *definitions_find(Manager *m, const char *uuid)
{
	return find_in(m->definitions, m->n_definitions, uuid);
}

static const Unreadable *find_unreadable(const Unreadable *list, size_t n, const char *parent, const char *uuid)
{
	for (size_t i = 0; uuid && i < n; i++)
		if (streq(list[i].uuid, uuid) && (!parent || streq(list[i].parent, parent)))
			return &list[i];
	return NULL;
}

/* A file gvtd cannot use holds this UUID: it is neither overwritten nor taken for none. */
static int refuse_unreadable(Manager *m, const char *uuid, GvtError *e, GvtErrorKind kind)
{
	const Unreadable *u = find_unreadable(m->unreadable, m->n_unreadable, NULL, uuid);
	_cleanup_free_ char *path = NULL;

	if (!u)
		return 0;
	if (sysfs_path(&path, m->config.root, MDEVCTL_DIR, u->parent, u->uuid, NULL) < 0)
		return gvt_error_set_errno(e, ENOMEM, "Failed to look up %s", uuid);
	return gvt_error_set(e, kind, "The definition file of %s cannot be used (%s): fix or delete %s first", uuid,
			     u->reason, path);
}

/* Logged when it is new or its reason changed, not on every reread. */
static void log_unreadable(Manager *m, const Unreadable *u, const Unreadable *was)
{
	_cleanup_free_ char *path = NULL;

	if (was && streq(was->reason, u->reason))
		return;
	if (sysfs_path(&path, m->config.root, MDEVCTL_DIR, u->parent, u->uuid, NULL) < 0)
		return;
	log_error("Cannot use definition file %s, leaving it as it is: %s. Fix or delete it; "
		  "\"gvtctl list --defined\" lists it until then.", path, u->reason);
}

/* The whole list, as a full reread found it. */
static void unreadable_replace(Manager *m, Unreadable *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		log_unreadable(m, &list[i], find_unreadable(m->unreadable, m->n_unreadable, list[i].parent, list[i].uuid));
	unreadable_free_all(m->unreadable, m->n_unreadable);
	m->unreadable = list;
	m->n_unreadable = n;
}

/* One file reread: reason is what is wrong with it now (taken), NULL if nothing. */
static int unreadable_update(Manager *m, const char *parent, const char *uuid, char *reason)
{
	_cleanup_free_ char *why = reason;
	Unreadable *u = (Unreadable *) find_unreadable(m->unreadable, m->n_unreadable, parent, uuid);
	Unreadable *l;

	if (u && why) {
		if (!streq(u->reason, why)) {
			free(u->reason);
			u->reason = TAKE_PTR(why);
			log_unreadable(m, u, NULL);
		}
		return 0;
	}
	if (u) {
		free(u->parent);
		free(u->reason);
		memmove(u, u + 1, (m->n_unreadable - (u - m->unreadable) - 1) * sizeof(Unreadable));
		m->n_unreadable--;
		return 0;
	}
	if (!why)
		return 0;
	l = realloc(m->unreadable, (m->n_unreadable + 1) * sizeof(Unreadable));
	if (!l)
		return -ENOMEM;
	m->unreadable = l;
	u = &l[m->n_unreadable];
	*u = (Unreadable) { .parent = strdup(parent), .reason = TAKE_PTR(why) };
	strcpy(u->uuid, uuid);
	if (!u->parent) {
		free(u->reason);
		return -ENOMEM;
	}
	m->n_unreadable++;
	log_unreadable(m, u, NULL);
	return 0;
}

static void emit(Manager *m, EventKind kind, const Definition *d)
{
	Event ev = { .kind = kind, .definition = d };

	manager_emit_event(m, &ev);
}

static int definitions_add(Manager *m, Definition *d)
{
	Definition **l = realloc(m->definitions, (m->n_definitions + 1) * sizeof(Definition *));

	if (!l)
		return -ENOMEM;
	l[m->n_definitions++] = d;
	m->definitions = l;
	return 0;
}

static void definitions_take_out(Manager *m, Definition *d)
{
	for (size_t i = 0; i < m->n_definitions; i++)
		if (m->definitions[i] == d) {
			memmove(m->definitions + i, m->definitions + i + 1,
				(m->n_definitions - i - 1) * sizeof(Definition *));
			m->n_definitions--;
			return;
		}
}

static bool definitions_equal(const Definition *a, const Definition *b)
{
	if (!streq(a->parent, b->parent) || !streq(a->type, b->type) || a->autostart != b->autostart ||
	    a->n_attrs != b->n_attrs)
		return false;
	for (size_t i = 0; i < a->n_attrs; i++)
		if (!streq(a->attrs[i].name, b->attrs[i].name) || !streq(a->attrs[i].value, b->attrs[i].value))
			return false;
	return true;
}

/* A change someone else made on disk: logged, then announced like gvtd's own. */
static void announce(Manager *m, EventKind kind, const Definition *d)
{
	if (kind == EVENT_DEFINITION_ADDED)
		log_info("Definition %s (%s on %s) appeared on disk.", d->uuid, d->type, d->parent);
	else if (kind == EVENT_DEFINITION_REMOVED)
		log_info("Definition %s (%s on %s) disappeared from disk.", d->uuid, d->type, d->parent);
	else
		log_info("Definition %s changed on disk.", d->uuid);
	emit(m, kind, d);
}

static int definitions_refresh(Manager *m)
{
	Definition **defs = NULL, **old = m->definitions;
	size_t n = 0, n_old = m->n_definitions, n_bad = 0;
	Unreadable *bad = NULL;
	int r;

	r = mdevctl_load_all(m->config.root, &defs, &n, &bad, &n_bad);
	if (r < 0) {
		/* EMFILE, EIO...: the next sync reads everything again. */
		m->definitions_watch.reread_all = true;
		return log_warning_errno(r, "Failed to reread the definitions, keeping the last ones: %m");
	}
	m->definitions = defs;
	m->n_definitions = n;
	unreadable_replace(m, bad, n_bad);

	/*
	 * What others (mdevctl, libvirt, an editor) changed on disk, announced
	 * with the new list in place. gvtd's own changes are in memory already
	 * and compare equal here.
	 */
	for (size_t i = 0; i < n; i++) {
		const Definition *was = find_in(old, n_old, defs[i]->uuid);

		if (!was)
			announce(m, EVENT_DEFINITION_ADDED, defs[i]);
		else if (!definitions_equal(was, defs[i]))
			announce(m, EVENT_DEFINITION_CHANGED, defs[i]);
	}
	for (size_t i = 0; i < n_old; i++) {
		if (!find_in(defs, n, old[i]->uuid))
			announce(m, EVENT_DEFINITION_REMOVED, old[i]);
		definition_free(old[i]);
	}
	free(old);
	return 0;
}

static int definitions_reload_one(Manager *m, const char *parent, const char *name)
{
	_cleanup_(definition_freep) Definition *d = NULL;
	char uuid[GVT_UUID_STRING_MAX], *reason = NULL;
	Definition *was;
	EventKind kind;
	int r;

	if (gvt_uuid_normalize(name, uuid) < 0)
		return 0; /* scripts.d and the like */
	r = mdevctl_load_one(m->config.root, parent, name, &d, &reason);
	if (r < 0) {
		/* Kept as it was, and the file where it is: the next sync reads everything again. */
		m->definitions_watch.reread_all = true;
		return log_warning_errno(r, "Failed to reread definition %s/%s, keeping the last one: %m", parent, name);
	}
	if (unreadable_update(m, parent, uuid, reason) < 0)
		m->definitions_watch.reread_all = true;
	was = definitions_find(m, uuid);
	if (!d) {
		/* Gone (or unreadable) here; the same UUID defined on another parent stays. */
		if (!was || !streq(was->parent, parent))
			return 0;
		definitions_take_out(m, was);
		announce(m, EVENT_DEFINITION_REMOVED, was);
		definition_free(was);
		return 0;
	}
	if (was && definitions_equal(was, d)) {
		/* The same to gvtd, but what a rewrite starts from is the file as it is now (other keys...). */
		definition_set_document(was, TAKE_PTR(d->document));
		was->ends_in_newline = d->ends_in_newline;
		return 0;
	}
	kind = was ? EVENT_DEFINITION_CHANGED : EVENT_DEFINITION_ADDED;
	if (was) {
		definitions_take_out(m, was);
		definition_free(was);
	}
	r = definitions_add(m, d);
	if (r < 0)
		return log_oom();
	announce(m, kind, TAKE_PTR(d));
	return 0;
}

int definitions_sync(Manager *m)
{
	DefinitionsWatch *w = &m->definitions_watch;

	if (definitions_watch_collect(w) > 0)
		return definitions_refresh(m);
	for (size_t i = 0; i < w->n_pending; i++)
		(void) definitions_reload_one(m, w->pending[i].parent, w->pending[i].name);
	definitions_watch_clear(w);
	return 0;
}

static void on_watch_changed(void *userdata)
{
	(void) definitions_sync(userdata);
}

int definitions_watch(Manager *m)
{
	return definitions_watch_start(&m->definitions_watch, m->event, m->config.root, on_watch_changed, m);
}

int definitions_init(Manager *m)
{
	int r;

	/* Watching first: a change during the load is reread after it, not lost. */
	r = definitions_watch(m);
	if (r < 0)
		return r;
	/* After the first scan: what runs is adopted, not duplicated. */
	return definitions_load(m);
}

void definitions_exit(Manager *m)
{
	definitions_watch_stop(&m->definitions_watch);
}

Definition *definitions_get(Manager *m, const char *uuid)
{
	(void) definitions_sync(m);
	return definitions_find(m, uuid);
}

Definition *const *definitions_list(Manager *m, size_t *ret_n)
{
	(void) definitions_sync(m);
	*ret_n = m->n_definitions;
	return m->definitions;
}

const Unreadable *definitions_unreadable(Manager *m, size_t *ret_n)
{
	(void) definitions_sync(m);
	*ret_n = m->n_unreadable;
	return m->unreadable;
}

uint64_t definitions_generation(Manager *m)
{
	(void) definitions_sync(m);
	return m->generation;
}

int definitions_quota_rows(Manager *m, QuotaRow **ret, size_t *ret_n)
{
	(void) definitions_sync(m);
	return quota_rows(m, ret, ret_n);
}

void definitions_quota_usage(Manager *m, const char *owner, Usage *ret)
{
	(void) definitions_sync(m);
	quota_usage(m, owner, ret);
}

int definitions_load(Manager *m)
{
	const char *root = m->config.root;
	Definition **defs = NULL;
	Unreadable *bad = NULL;
	size_t n = 0, n_bad = 0;
	int r;

	r = mdevctl_load_all(root, &defs, &n, &bad, &n_bad);
	if (r < 0)
		return log_error_errno(r, "Failed to read the definitions: %m");
	m->definitions = defs;
	m->n_definitions = n;
	unreadable_replace(m, bad, n_bad);
	r = owners_load(root, &m->owners);
	if (r < 0)
		return log_error_errno(r, "Failed to read the owner records: %m");
	r = quotas_load(root, &m->quotas);
	if (r < 0)
		return log_error_errno(r, "Failed to read the quotas: %m");

	/* A record that nothing needs is what a crash between two steps left behind. */
	for (size_t i = 0; i < m->owners.n_records;) {
		const char *uuid = m->owners.records[i].uuid;

		/* A file gvtd cannot use now keeps its owner: fixed, it is the same definition. */
		if (definitions_find(m, uuid) || inventory_find_vgpu(&m->inventory, uuid) ||
		    find_unreadable(m->unreadable, m->n_unreadable, NULL, uuid)) {
			i++;
			continue;
		}
		log_info("Dropping the owner record of %s: neither defined nor running.", uuid);
		if (owners_drop(root, &m->owners, uuid) < 0)
			i++;
	}
	for (size_t i = 0; i < m->inventory.n_vgpus; i++) {
		const Vgpu *v = m->inventory.vgpus[i];

		log_info("Adopted running vGPU %s (%s on %s, %s, owner %s).", v->uuid, v->type, v->parent,
			 definitions_find(m, v->uuid) ? "defined" : "transient", owners_get(&m->owners, v->uuid));
	}
	log_info("%zu definition(s), %zu file(s) gvtd cannot use, %zu owner record(s), %zu quota entr%s.",
		 m->n_definitions, m->n_unreadable, m->owners.n_records, m->quotas.n_entries,
		 m->quotas.n_entries == 1 ? "y" : "ies");
	return 0;
}

static int save_failed(GvtError *e, const char *what, const char *uuid, int r)
{
	/* ENOSPC here is a full disk, not a full GPU. */
	return gvt_error_set(e, GVT_ERROR_FAILED, "Failed to %s definition %s, nothing changed: %s", what, uuid,
			     strerror(-r));
}

/* [Definitions] MaxDefinitions= for everyone, MaxDefinitionsPerOwner= for owners but root: before anything is written. */
static int check_count(Manager *m, const char *owner, GvtError *e)
{
	unsigned own = 0;

	if (m->n_definitions >= m->config.max_definitions)
		return gvt_error_set(e, GVT_ERROR_NO_CAPACITY,
				     "%zu definitions exist, the most gvtd keeps ([Definitions] MaxDefinitions=%u in "
				     "gvtd.conf): undefine some first", m->n_definitions, m->config.max_definitions);
	if (streq(owner, OWNER_ADMIN))
		return 0;
	for (size_t i = 0; i < m->n_definitions; i++)
		own += streq(owners_get(&m->owners, m->definitions[i]->uuid), owner);
	if (own >= m->config.max_definitions_per_owner)
		return gvt_error_set(e, GVT_ERROR_NO_CAPACITY,
				     "%s has %u definitions, the most one owner may have ([Definitions] "
				     "MaxDefinitionsPerOwner=%u in gvtd.conf): undefine some first", owner, own,
				     m->config.max_definitions_per_owner);
	return 0;
}

/* [Definitions] MaxDefinitionSize=: the file as it would be written; -EFBIG (e filled) if larger. */
static int check_size(Manager *m, const Definition *d, GvtError *e)
{
	_cleanup_free_ char *text = NULL;
	size_t n;

	if (mdevctl_format(d, &text) < 0)
		return gvt_error_set_errno(e, ENOMEM, "Failed to write definition %s", d->uuid);
	n = strlen(text);
	if (n <= m->config.max_definition_bytes)
		return 0;
	gvt_error_set(e, GVT_ERROR_INVALID_ARGUMENT,
		      "Definition %s would be %zu bytes, more than the %u gvtd writes ([Definitions] "
		      "MaxDefinitionSize= in gvtd.conf): fewer or shorter attributes", d->uuid, n,
		      m->config.max_definition_bytes);
	return -EFBIG;
}

/* The owner's record, the file, the list: all or nothing. */
static int save_new(Manager *m, Definition *d, const char *owner, GvtError *e)
{
	bool had_record = owners_find(&m->owners, d->uuid);
	json_t *written = NULL;
	int r;

	r = owners_set(m->config.root, &m->owners, d->uuid, owner);
	if (r < 0)
		return save_failed(e, "record the owner of", d->uuid, r);
	r = mdevctl_save(m->config.root, d, &written);
	if (r < 0) {
		if (!had_record)
			(void) owners_drop(m->config.root, &m->owners, d->uuid);
		return save_failed(e, "write", d->uuid, r);
	}
	definition_set_document(d, written);
	r = definitions_add(m, d);
	if (r < 0)
		return gvt_error_set_errno(e, r, "Failed to define %s", d->uuid);
	return 0;
}

int definitions_define(Manager *m, const VgpuSpec *spec, char ret_uuid[GVT_UUID_STRING_MAX], GvtError *e)
{
	_cleanup_(definition_freep) Definition *d = NULL;
	const char *owner = isempty(spec->owner) ? OWNER_ADMIN : spec->owner;
	char id[GVT_UUID_STRING_MAX];
	const Vgpu *running;
	Parent *p = NULL;
	MdevType *t = NULL;
	Usage need = {};
	Callouts callouts;
	int r;

	r = lifecycle_resolve(m, spec, false, &p, &t, id, e);
	if (r < 0)
		return r;
	(void) definitions_sync(m);
	if (definitions_find(m, id))
		return gvt_error_set(e, GVT_ERROR_ALREADY_EXISTS, "UUID %s is defined already", id);
	r = refuse_unreadable(m, id, e, GVT_ERROR_ALREADY_EXISTS);
	if (r < 0)
		return r;
	running = inventory_find_vgpu(&m->inventory, id);
	if (running) {
		if (!streq(running->parent, p->name) || !streq(running->type, t->name))
			return gvt_error_set(e, GVT_ERROR_ALREADY_EXISTS,
					     "vGPU %s runs as %s on %s: define it with that type and parent, or pick "
					     "another UUID", id, running->type, running->parent);
		if (!streq(owners_get(&m->owners, id), owner))
			return gvt_error_set(e, GVT_ERROR_ALREADY_EXISTS, "vGPU %s runs already, owned by %s", id,
					     owners_get(&m->owners, id));
	} else {
		usage_of_type(&t->desc, t->described, &need);
		r = quota_check(m, owner, &need, e);
		if (r < 0)
			return r;
	}
	r = check_count(m, owner, e);
	if (r < 0)
		return r;

	d = calloc(1, sizeof(*d));
	if (!d || !(d->parent = strdup(p->name)) || !(d->type = strdup(t->name)) ||
	    attrs_copy(spec->attrs, spec->n_attrs, &d->attrs) < 0)
		return gvt_error_set_errno(e, ENOMEM, "Failed to define %s", id);
	strcpy(d->uuid, id);
	d->n_attrs = spec->n_attrs;
	d->autostart = spec->autostart;
	r = check_size(m, d, e);
	if (r < 0)
		return r;

	r = callouts_pre(&m->config, CALLOUT_ACTION_DEFINE, d, &callouts, e);
	if (r < 0)
		return r;
	r = save_new(m, d, owner, e);
	callouts_post(&callouts, r >= 0);
	if (r < 0)
		return r;
	log_info("Defined %s (%s on %s, %s start, owner %s).", id, d->type, d->parent,
		 d->autostart ? "auto" : "manual", owner);
	emit(m, EVENT_DEFINITION_ADDED, TAKE_PTR(d));
	strcpy(ret_uuid, id);
	return 0;
}

static bool attrs_equal(const Attr *a, size_t n_a, const Attr *b, size_t n_b)
{
	if (n_a != n_b)
		return false;
	for (size_t i = 0; i < n_a; i++)
		if (!streq(a[i].name, b[i].name) || !streq(a[i].value, b[i].value))
			return false;
	return true;
}

static int define_or_match(Manager *m, const VgpuSpec *spec, char ret_uuid[GVT_UUID_STRING_MAX],
			   bool *ret_created, GvtError *e)
{
	const char *owner = isempty(spec->owner) ? OWNER_ADMIN : spec->owner;
	char id[GVT_UUID_STRING_MAX];
	const Definition *d;

	*ret_created = false;
	if (!isempty(spec->uuid) && validate_uuid(spec->uuid, id, NULL) >= 0) {
		(void) definitions_sync(m);
		d = definitions_find(m, id);
		if (d) {
			const char *had = owners_get(&m->owners, id), *type;

			inventory_flush(m);
			if (lifecycle_resolve_type(m, spec->parent, strempty(spec->type), &type, NULL) < 0)
				type = strempty(spec->type);
			if (!streq(d->type, type) ||
			    (!isempty(spec->parent) && !streq(d->parent, spec->parent)) ||
			    !streq(strempty(had), owner) || d->autostart != spec->autostart ||
			    !attrs_equal(d->attrs, d->n_attrs, spec->attrs, spec->n_attrs))
				return gvt_error_set(e, GVT_ERROR_ALREADY_EXISTS,
						     "UUID %s is defined already, as %s on %s for %s (%s start, %zu "
						     "attribute(s)): not the one asked for", id, d->type, d->parent,
						     strempty(had), d->autostart ? "auto" : "manual", d->n_attrs);
			strcpy(ret_uuid, id);
			return 0;
		}
	}
	*ret_created = true;
	return definitions_define(m, spec, ret_uuid, e);
}

int definitions_define_or_match(Manager *m, const VgpuSpec *spec, char ret_uuid[GVT_UUID_STRING_MAX],
				bool *ret_created, OperationDone done, void *userdata, GvtError *e)
{
	int r;

	r = define_or_match(m, spec, ret_uuid, ret_created, e);
	if (r < 0)
		return r;
	if (spec->start && !inventory_find_vgpu(&m->inventory, ret_uuid))
		return definitions_start_async(m, ret_uuid, done, userdata, e);
	return 1;
}

/* The definition of a valid UUID, or NotFound. */
static int lookup(Manager *m, const char *uuid, Definition **ret, GvtError *e)
{
	char id[GVT_UUID_STRING_MAX];
	int r;

	r = validate_uuid(uuid, id, e);
	if (r < 0)
		return r;
	(void) definitions_sync(m);
	*ret = definitions_find(m, id);
	if (!*ret && (r = refuse_unreadable(m, id, e, GVT_ERROR_NOT_FOUND)) < 0)
		return r;
	if (!*ret)
		return gvt_error_set(e, GVT_ERROR_NOT_FOUND,
				     "No definition %s: list them with \"gvtctl list --defined\"", id);
	return 0;
}

int definitions_undefine(Manager *m, const char *uuid, GvtError *e)
{
	Callouts callouts;
	Definition *d;
	int r;

	r = lookup(m, uuid, &d, e);
	if (r >= 0)
		r = lifecycle_refuse_if_busy(m, d->uuid, e);
	if (r < 0)
		return r;
	r = callouts_pre(&m->config, CALLOUT_ACTION_UNDEFINE, d, &callouts, e);
	if (r < 0)
		return r;
	r = mdevctl_delete(m->config.root, d->parent, d->uuid);
	callouts_post(&callouts, r >= 0);
	if (r < 0)
		return save_failed(e, "delete", d->uuid, r);
	(void) inventory_sync_vgpu(m, d->uuid);
	if (!inventory_find_vgpu(&m->inventory, d->uuid) && owners_drop(m->config.root, &m->owners, d->uuid) < 0)
		log_warning("Failed to drop the owner record of %s; the next start drops it.", d->uuid);
	log_info("Undefined %s.", d->uuid);
	definitions_take_out(m, d);
	emit(m, EVENT_DEFINITION_REMOVED, d);
	definition_free(d);
	return 0;
}

/* What a start checks, on what the kernel says now; the definition and its parent and type. */
static int start_checks(Manager *m, const char *uuid, Definition **ret, Parent **ret_parent, MdevType **ret_type,
			GvtError *e)
{
	Definition *d;
	Parent *p;
	MdevType *t;
	int r;

	r = lookup(m, uuid, &d, e);
	if (r < 0)
		return r;
	r = lifecycle_refuse_if_busy(m, d->uuid, e);
	if (r < 0)
		return r;
	inventory_flush(m);
	(void) inventory_sync_vgpu(m, d->uuid);
	if (inventory_find_vgpu(&m->inventory, d->uuid))
		return gvt_error_set(e, GVT_ERROR_ALREADY_EXISTS, "vGPU %s runs already", d->uuid);
	p = inventory_need_parent(m, d->parent);
	if (!p)
		return gvt_error_set(e, GVT_ERROR_NOT_READY,
				     "Parent %s of definition %s is not present (modules state: %s)", d->parent,
				     d->uuid, modules_state_to_string(m->modules.state));
	t = parent_find_type(p, d->type);
	if (!t)
		return gvt_error_set(e, GVT_ERROR_NOT_FOUND, "Parent %s has no type %s (definition %s)", d->parent,
				     d->type, d->uuid);
	/* No quota check: the definition holds its reservation already. */
	if (t->available == 0)
		(void) inventory_sync_available(m, p->name);
	if (t->available == 0)
		return capacity_explain(m->config.root, &m->inventory, p, t, e);
	*ret = d;
	*ret_parent = p;
	*ret_type = t;
	return 0;
}

/* The definition may have gone meanwhile (undefined on disk): then there is nothing to signal. */
static void emit_changed(Manager *m, const char *uuid)
{
	Definition *d = definitions_find(m, uuid);

	if (d)
		emit(m, EVENT_DEFINITION_CHANGED, d);
}

int definitions_start(Manager *m, const char *uuid, GvtError *e)
{
	Callouts callouts;
	Definition *d;
	Parent *p;
	MdevType *t;
	int r;

	r = start_checks(m, uuid, &d, &p, &t, e);
	if (r < 0)
		return r;
	r = callouts_pre(&m->config, CALLOUT_ACTION_START, d, &callouts, e);
	if (r < 0)
		return r;
	r = lifecycle_create_device(m, p, t, d->uuid, d->attrs, d->n_attrs, e);
	callouts_post(&callouts, r >= 0);
	if (r < 0)
		return r;
	emit(m, EVENT_DEFINITION_CHANGED, d);
	return 0;
}

/* A start's or a stop's end: the definition's signal, then the post callouts and the caller's done. */
static void on_device_done(Manager *m, int r, const GvtError *e, void *userdata)
{
	OperationCall *c = userdata;

	if (r >= 0)
		emit_changed(m, c->uuid);
	operation_call_end(m, c, r, e);
}

int definitions_start_async(Manager *m, const char *uuid, OperationDone done, void *userdata, GvtError *e)
{
	OperationCall *c;
	Definition *d;
	Parent *p;
	MdevType *t;
	int r;

	r = start_checks(m, uuid, &d, &p, &t, e);
	if (r < 0)
		return r;
	c = operation_call_new(d->uuid, done, userdata, e);
	if (!c)
		return -ENOMEM;
	r = callouts_pre(&m->config, CALLOUT_ACTION_START, d, &c->callouts, e);
	if (r < 0) {
		free(c);
		return r;
	}
	r = lifecycle_create_device_async(m, p, t, d->uuid, d->attrs, d->n_attrs, owners_get(&m->owners, d->uuid),
					  NULL, on_device_done, c, e);
	if (r < 0)
		operation_call_cancel(c);
	return r;
}

int definitions_stop(Manager *m, const char *uuid, OperationDone done, void *userdata, GvtError *e)
{
	OperationCall *c;
	const Vgpu *v;
	Definition *d;
	int r;

	r = lookup(m, uuid, &d, e);
	if (r < 0)
		return r;
	r = lifecycle_refuse_if_busy(m, d->uuid, e);
	if (r < 0)
		return r;
	(void) inventory_sync_vgpu(m, d->uuid);
	v = inventory_find_vgpu(&m->inventory, d->uuid);
	if (!v)
		return gvt_error_set(e, GVT_ERROR_NOT_FOUND, "Definition %s is not running", d->uuid);
	c = operation_call_new(d->uuid, done, userdata, e);
	if (!c)
		return -ENOMEM;
	/* As mdevctl stop sees it: from sysfs, not from the definition. */
	r = callouts_pre_vgpu(&m->config, CALLOUT_ACTION_STOP, v->uuid, v->parent, v->type, NULL, 0, &c->callouts, e);
	if (r < 0) {
		free(c);
		return r;
	}
	/* The definition keeps the owner record. */
	r = lifecycle_remove_device_async(m, d->uuid, on_device_done, c, e);
	if (r < 0)
		operation_call_cancel(c);
	return r;
}

int definitions_modify(Manager *m, const char *uuid, const DefinitionChange *c, GvtError *e)
{
	Callouts callouts;
	Definition *d, next;
	_cleanup_free_ char *type = NULL;
	json_t *written = NULL;
	const char *new_type = NULL;
	Attr *attrs = NULL;
	int r;

	r = lookup(m, uuid, &d, e);
	if (r < 0)
		return r;
	if (!isempty(c->type) && (r = validate_name("type", c->type, e)) < 0)
		return r;
	if (c->set_attrs && (r = validate_attrs(c->attrs, c->n_attrs, e)) < 0)
		return r;
	(void) inventory_sync_vgpu(m, d->uuid);
	if (inventory_find_vgpu(&m->inventory, d->uuid))
		return gvt_error_set(e, GVT_ERROR_BUSY, "Definition %s is running: stop it first (\"gvtctl stop %s\")",
				     d->uuid, d->uuid);

	next = *d;
	if (!isempty(c->type)) {
		r = lifecycle_resolve_type(m, d->parent, c->type, &new_type, e);
		if (r < 0)
			return r;
	}
	if (new_type && !streq(new_type, d->type)) {
		const Parent *p = inventory_find_parent(&m->inventory, d->parent);
		const char *owner = owners_get(&m->owners, d->uuid);
		Usage old, need;

		if (p && !parent_find_type(p, new_type))
			return gvt_error_set(e, GVT_ERROR_NOT_FOUND, "Parent %s has no type %s: see \"gvtctl types "
					     "--parent %s\"", d->parent, new_type, d->parent);
		type = strdup(new_type);
		if (!type)
			return gvt_error_set_errno(e, ENOMEM, "Failed to modify %s", d->uuid);
		next.type = type;
		/* Check the new size as if the old one were released. */
		usage_of_definition(&m->inventory, d, &old);
		usage_of_definition(&m->inventory, &next, &need);
		for (QuotaLimit l = 0; l < _QUOTA_LIMIT_MAX; l++)
			need.v[l] = need.v[l] > old.v[l] ? need.v[l] - old.v[l] : 0;
		r = quota_check(m, owner, &need, e);
		if (r < 0)
			return r;
	}
	if (c->autostart >= 0)
		next.autostart = c->autostart;
	if (c->set_attrs) {
		if (attrs_copy(c->attrs, c->n_attrs, &attrs) < 0)
			return gvt_error_set_errno(e, ENOMEM, "Failed to modify %s", d->uuid);
		next.attrs = attrs;
		next.n_attrs = c->n_attrs;
	}
	r = check_size(m, &next, e);
	if (r >= 0)
		r = callouts_pre(&m->config, CALLOUT_ACTION_MODIFY, &next, &callouts, e);
	if (r >= 0) {
		r = mdevctl_save(m->config.root, &next, &written);
		callouts_post(&callouts, r >= 0);
		if (r < 0)
			r = save_failed(e, "write", d->uuid, r);
	}
	if (r < 0) {
		if (c->set_attrs)
			attrs_free(attrs, c->n_attrs);
		return r;
	}
	if (type) {
		free(d->type);
		d->type = TAKE_PTR(type);
	}
	if (c->set_attrs) {
		attrs_free(d->attrs, d->n_attrs);
		d->attrs = attrs;
		d->n_attrs = c->n_attrs;
	}
	d->autostart = next.autostart;
	definition_set_document(d, written);
	log_info("Modified definition %s.", d->uuid);
	emit(m, EVENT_DEFINITION_CHANGED, d);
	return 0;
}

void definitions_autostart(Manager *m, const char *parent)
{
	_cleanup_free_ char (*todo)[GVT_UUID_STRING_MAX] = NULL;
	size_t n = 0;

	inventory_flush(m);
	(void) definitions_sync(m);
	/* Starting rereads the definitions: pick the UUIDs first. */
	todo = calloc(m->n_definitions + 1, sizeof(*todo));
	if (!todo) {
		log_oom();
		return;
	}
	for (size_t i = 0; i < m->n_definitions; i++) {
		const Definition *d = m->definitions[i];

		if (d->autostart && (!parent || streq(parent, d->parent)) &&
		    inventory_find_parent(&m->inventory, d->parent) && !inventory_find_vgpu(&m->inventory, d->uuid))
			strcpy(todo[n++], d->uuid);
	}
	for (size_t i = 0; i < n; i++) {
		GvtError e = {};

		if (definitions_start(m, todo[i], &e) >= 0)
			log_info("Autostarted %s.", todo[i]);
		else if (e.kind == GVT_ERROR_ALREADY_EXISTS)
			/* mdevctl's udev rule starts "auto" definitions of a new parent too. */
			log_info("Not autostarting %s: another tool started it first (%s).", todo[i], e.message);
		else
			log_error("Failed to autostart %s: %s", todo[i], e.message);
	}
}
