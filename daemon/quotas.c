// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <jansson.h>
#include <stdint.h>

#include "log.h"
#include "manager.h"
#include "owners.h"
#include "quotas.h"
#include "store.h"


static const char *const limit_names[_QUOTA_LIMIT_MAX] = {
	[QUOTA_VGPUS] = "vgpus",
	[QUOTA_APERTURE_MIB] = "aperture-mib",
	[QUOTA_HIDDEN_MIB] = "hidden-mib",
	[QUOTA_FENCES] = "fences",
	[QUOTA_WEIGHT] = "weight",
};

DEFINE_STRING_TABLE_LOOKUP(quota_limit, QuotaLimit, limit_names, _QUOTA_LIMIT_MAX)

int quota_set_limit(Quota *q, const char *name, uint64_t value, GvtError *e)
{
	char known[64] = "";
	int l = quota_limit_from_string(name);

	if (l >= 0) {
		/* quotas.json holds JSON integers: signed 64-bit; a larger one would be saved negative. */
		if (value > (uint64_t) INT64_MAX)
			return gvt_error_set(e, GVT_ERROR_INVALID_ARGUMENT,
					     "Limit %s=%llu is too large: at most %lld (to lift the limit, leave it unset)",
					     limit_names[l], (unsigned long long) value, (long long) INT64_MAX);
		q->set[l] = true;
		q->max[l] = value;
		return 0;
	}
	for (QuotaLimit k = 0; k < _QUOTA_LIMIT_MAX; k++)
		snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s",
			 k == 0 ? "" : k + 1 == _QUOTA_LIMIT_MAX ? " or " : ", ", limit_names[k]);
	return gvt_error_set(e, GVT_ERROR_INVALID_ARGUMENT, "Unknown limit \"%.40s\": %s", name, known);
}

static bool quota_owner_is_valid(const char *s)
{
	return streq(s, QUOTA_DEFAULT) || owner_name_is_valid(s);
}

static int parse_entry(const char *owner, json_t *limits, Quota *q, const char **reason)
{
	const char *key;
	json_t *value;

	if (!quota_owner_is_valid(owner)) {
		*reason = "an owner is not a user name or @default";
		return -EBADMSG;
	}
	if (!json_is_object(limits)) {
		*reason = "an owner's limits are not an object";
		return -EBADMSG;
	}
	*q = (Quota) {};
	strcpy(q->owner, owner);
	json_object_foreach(limits, key, value) {
		if (!json_is_integer(value) || json_integer_value(value) < 0 ||
		    quota_set_limit(q, key, json_integer_value(value), NULL) < 0) {
			*reason = "a limit is unknown or not a non-negative integer";
			return -EBADMSG;
		}
	}
	return 0;
}

int quotas_parse(const char *text, Quotas *ret, const char **reason)
{
	_cleanup_(json_decrefp) json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	Quotas q = {};
	const char *owner;
	json_t *limits;

	if (!json_is_object(root)) {
		*reason = "not a JSON object";
		return -EBADMSG;
	}
	q.entries = calloc(json_object_size(root) + 1, sizeof(Quota));
	if (!q.entries)
		return -ENOMEM;
	json_object_foreach(root, owner, limits) {
		int r = parse_entry(owner, limits, &q.entries[q.n_entries], reason);

		if (r < 0) {
			quotas_done(&q);
			return r;
		}
		q.n_entries++;
	}
	*ret = q;
	return 0;
}

static int quotas_path(const char *root, char **ret)
{
	return sysfs_path(ret, root, QUOTAS_DIR, QUOTAS_FILE, NULL);
}

int quotas_load(const char *root, Quotas *ret)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	const char *reason = NULL;
	int r;

	*ret = (Quotas) {};
	r = quotas_path(root, &path);
	if (r < 0)
		return r;
	r = store_read(path, &text, NULL);
	if (r == -ENOENT)
		return 0;
	if (r < 0 && !store_read_error_is_the_file(r))
		/* EMFILE, EIO...: the file may be fine; fail rather than lose every owner's limits. */
		return log_error_errno(r, "Cannot read %s, leaving it in place: %m", path);
	if (r >= 0)
		r = quotas_parse(text, ret, &reason);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		(void) store_set_aside(path, reason ? reason : strerror(-r));
	return 0;
}

void quotas_done(Quotas *q)
{
	free(q->entries);
	*q = (Quotas) {};
}

static int format(const Quotas *q, char **ret)
{
	_cleanup_(json_decrefp) json_t *root = json_object();

	if (!root)
		return -ENOMEM;
	for (size_t i = 0; i < q->n_entries; i++) {
		json_t *limits = json_object();

		if (!limits || json_object_set_new(root, q->entries[i].owner, limits) < 0)
			return -ENOMEM;
		for (QuotaLimit l = 0; l < _QUOTA_LIMIT_MAX; l++)
			if (q->entries[i].set[l] &&
			    json_object_set_new(limits, limit_names[l], json_integer(q->entries[i].max[l])) < 0)
				return -ENOMEM;
	}
	*ret = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
	return *ret ? 0 : -ENOMEM;
}

void usage_of_definition(const Inventory *inv, const Definition *d, Usage *ret)
{
	const MdevType *t = inventory_find_type_anywhere(inv, d->parent, d->type);

	usage_of_type(t ? &t->desc : NULL, t && t->described, ret);
}

void usage_of_type(const MdevTypeDescription *d, bool described, Usage *ret)
{
	*ret = (Usage) {};
	ret->v[QUOTA_VGPUS] = 1;
	if (!described)
		return;
	ret->v[QUOTA_APERTURE_MIB] = d->low_gm_mib;
	ret->v[QUOTA_HIDDEN_MIB] = d->high_gm_mib;
	ret->v[QUOTA_FENCES] = d->fences;
	ret->v[QUOTA_WEIGHT] = d->weight;
}

const Quota *quotas_find(const Quotas *q, const char *owner)
{
	for (size_t i = 0; i < q->n_entries; i++)
		if (streq(q->entries[i].owner, owner))
			return &q->entries[i];
	return NULL;
}

const Quota *quotas_effective(const Quotas *q, const char *owner)
{
	const Quota *own = quotas_find(q, owner);

	if (own || streq(owner, OWNER_ADMIN))
		return own;
	return quotas_find(q, QUOTA_DEFAULT);
}

static void add(Usage *sum, const Usage *u)
{
	for (QuotaLimit l = 0; l < _QUOTA_LIMIT_MAX; l++)
		sum->v[l] += u->v[l];
}

void quota_usage(Manager *m, const char *owner, Usage *ret)
{
	Usage u;

	*ret = (Usage) {};
	for (size_t i = 0; i < m->inventory.n_vgpus; i++) {
		const Vgpu *v = m->inventory.vgpus[i];

		if (!streq(owners_get(&m->owners, v->uuid), owner))
			continue;
		usage_of_type(&v->desc, v->described, &u);
		add(ret, &u);
	}
	for (size_t i = 0; i < m->n_definitions; i++) {
		const Definition *d = m->definitions[i];

		/* Running: counted above, from what the kernel says it is. */
		if (inventory_find_vgpu(&m->inventory, d->uuid) || !streq(owners_get(&m->owners, d->uuid), owner))
			continue;
		usage_of_definition(&m->inventory, d, &u);
		add(ret, &u);
	}
	/* Creates under way count from the moment they passed this check. */
	device_ops_add_usage(m, owner, ret);
}

static int compare_rows(const void *a, const void *b)
{
	return strcmp(((const QuotaRow *) a)->owner, ((const QuotaRow *) b)->owner);
}

int quota_rows(Manager *m, QuotaRow **ret, size_t *ret_n)
{
	size_t n = 0, out = 0;
	QuotaRow *rows = calloc(m->quotas.n_entries + m->inventory.n_vgpus + m->n_definitions + 1, sizeof(QuotaRow));

	if (!rows)
		return -ENOMEM;
	/* One row per quota entry, vGPU and definition, then the rows of one owner summed. */
	for (size_t i = 0; i < m->quotas.n_entries; i++)
		rows[n++] = (QuotaRow) { .owner = m->quotas.entries[i].owner, .quota = &m->quotas.entries[i] };
	for (size_t i = 0; i < m->inventory.n_vgpus; i++) {
		const Vgpu *v = m->inventory.vgpus[i];

		rows[n].owner = owners_get(&m->owners, v->uuid);
		usage_of_type(&v->desc, v->described, &rows[n++].usage);
	}
	for (size_t i = 0; i < m->n_definitions; i++) {
		const Definition *d = m->definitions[i];

		rows[n].owner = owners_get(&m->owners, d->uuid);
		/* Running: counted with its vGPU, as quota_usage() does. */
		if (!inventory_find_vgpu(&m->inventory, d->uuid))
			usage_of_definition(&m->inventory, d, &rows[n].usage);
		n++;
	}
	if (n > 0)
		qsort(rows, n, sizeof(QuotaRow), compare_rows);
	for (size_t i = 0; i < n; i++) {
		if (out > 0 && streq(rows[out - 1].owner, rows[i].owner)) {
			if (rows[i].quota)
				rows[out - 1].quota = rows[i].quota;
			add(&rows[out - 1].usage, &rows[i].usage);
		} else
			rows[out++] = rows[i];
	}
	*ret = rows;
	*ret_n = out;
	return 0;
}

int quota_check(Manager *m, const char *owner, const Usage *request, GvtError *e)
{
	const Quota *q = quotas_effective(&m->quotas, owner);
	Usage used;

	if (!q)
		return 0;
	quota_usage(m, owner, &used);
	for (QuotaLimit l = 0; l < _QUOTA_LIMIT_MAX; l++) {
		if (!q->set[l] || used.v[l] + request->v[l] <= q->max[l])
			continue;
		if (e) {
			snprintf(e->resource, sizeof(e->resource), "%s", limit_names[l]);
			snprintf(e->quota.owner, sizeof(e->quota.owner), "%s", owner);
			e->quota.limit = q->max[l];
			e->quota.usage = used.v[l];
			e->quota.request = request->v[l];
		}
		return gvt_error_set(e, GVT_ERROR_QUOTA_EXCEEDED,
				     "Quota exceeded for %s: %s limit %llu, in use %llu, requested %llu%s",
				     owner, limit_names[l], (unsigned long long) q->max[l],
				     (unsigned long long) used.v[l], (unsigned long long) request->v[l],
				     q == quotas_find(&m->quotas, owner) ? "" : " (the default quota)");
	}
	return 0;
}

int quotas_set(Manager *m, const Quota *q, GvtError *e)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	Quotas next = {};
	bool any = false;
	int r;

	if (!quota_owner_is_valid(q->owner))
		return gvt_error_set(e, GVT_ERROR_INVALID_ARGUMENT,
				     "Invalid owner \"%.40s\": a user name or %s", q->owner, QUOTA_DEFAULT);
	for (QuotaLimit l = 0; l < _QUOTA_LIMIT_MAX; l++)
		any = any || q->set[l];

	next.entries = calloc(m->quotas.n_entries + 1, sizeof(Quota));
	if (!next.entries)
		return gvt_error_set_errno(e, ENOMEM, "Failed to set the quota");
	for (size_t i = 0; i < m->quotas.n_entries; i++)
		if (!streq(m->quotas.entries[i].owner, q->owner))
			next.entries[next.n_entries++] = m->quotas.entries[i];
	if (any)
		next.entries[next.n_entries++] = *q;

	r = quotas_path(m->config.root, &path);
	if (r >= 0)
		r = format(&next, &text);
	if (r >= 0)
		r = store_write(path, text, strlen(text));
	if (r < 0) {
		quotas_done(&next);
		return gvt_error_set(e, GVT_ERROR_FAILED, "Failed to save the quotas to %s, nothing changed: %s",
				     strempty(path), strerror(-r));
	}
	quotas_done(&m->quotas);
	m->quotas = next;
	log_info("Quota for %s %s.", q->owner, any ? "set" : "removed");
	return 0;
}
