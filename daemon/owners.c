// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <jansson.h>
#include <time.h>

#include "log.h"
#include "owners.h"
#include "store.h"


bool owner_name_is_valid(const char *s)
{
	size_t n;

	if (!s)
		return false;
	n = strnlen(s, OWNER_NAME_MAX + 1);
	if (n == 0 || n > OWNER_NAME_MAX)
		return false;
	if (!((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return false;
	if (s[n - 1] == '$')
		n--;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

int owners_parse(const char *text, OwnerRecord *rec, const char **reason)
{
	_cleanup_(json_decrefp) json_t *root = json_loads(text, 0, NULL);
	json_t *owner, *created;

	owner = json_object_get(root, "owner");
	created = json_object_get(root, "created");
	if (!json_is_string(owner) || !owner_name_is_valid(json_string_value(owner))) {
		*reason = "\"owner\" is missing or not a user name";
		return -EBADMSG;
	}
	if (created && !json_is_integer(created)) {
		*reason = "\"created\" is not an integer";
		return -EBADMSG;
	}
	strcpy(rec->owner, json_string_value(owner));
	rec->created = created ? json_integer_value(created) : 0;
	return 0;
}

static int compare_records(const void *a, const void *b)
{
	return strcmp(((const OwnerRecord *) a)->uuid, ((const OwnerRecord *) b)->uuid);
}

/* Where uuid is or would go in the sorted records. */
static size_t position(const Owners *o, const char *uuid)
{
	size_t lo = 0, hi = o->n_records;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(o->records[mid].uuid, uuid) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int grow(Owners *o)
{
	OwnerRecord *l;

	if (o->n_records < o->n_allocated)
		return 0;
	l = reallocarray(o->records, o->n_allocated * 2 + 16, sizeof(OwnerRecord));
	if (!l)
		return -ENOMEM;
	o->records = l;
	o->n_allocated = o->n_allocated * 2 + 16;
	return 0;
}

/* At the end, unsorted: owners_load sorts once when all are read. */
static int append(Owners *o, const OwnerRecord *rec)
{
	if (grow(o) < 0)
		return -ENOMEM;
	o->records[o->n_records++] = *rec;
	return 0;
}

/* In its place: the records stay sorted by UUID. */
static int insert(Owners *o, const OwnerRecord *rec)
{
	size_t at = position(o, rec->uuid);

	if (grow(o) < 0)
		return -ENOMEM;
	memmove(o->records + at + 1, o->records + at, (o->n_records - at) * sizeof(OwnerRecord));
	o->records[at] = *rec;
	o->n_records++;
	return 0;
}

int owners_load(const char *root, Owners *ret)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	Owners o = {};
	struct dirent *de;
	int r;

	r = sysfs_path(&dir, root, OWNERS_DIR, NULL);
	if (r < 0)
		return r;
	d = opendir(dir);
	if (!d) {
		*ret = o;
		return errno == ENOENT ? 0 : -errno;
	}
	while ((de = readdir(d))) {
		_cleanup_free_ char *path = NULL, *text = NULL;
		OwnerRecord rec = {};
		const char *reason = NULL;

		if (de->d_name[0] == STORE_HIDDEN_PREFIX || gvt_uuid_normalize(de->d_name, rec.uuid) < 0 ||
		    sysfs_path(&path, root, OWNERS_DIR, de->d_name, NULL) < 0)
			continue;
		r = store_read(path, &text, NULL);
		if (r >= 0)
			r = owners_parse(text, &rec, &reason);
		if (r < 0 && !reason && !store_read_error_is_the_file(r)) {
			/* EMFILE, EIO...: the record may be fine; fail rather than lose it. */
			log_error_errno(r, "Cannot read owner record %s, leaving it in place: %m", path);
			owners_done(&o);
			return r;
		}
		if (r < 0) {
			(void) store_set_aside(path, reason ? reason : strerror(-r));
			continue;
		}
		if (append(&o, &rec) < 0) {
			owners_done(&o);
			return -ENOMEM;
		}
	}
	if (o.n_records > 0)
		qsort(o.records, o.n_records, sizeof(OwnerRecord), compare_records);
	*ret = o;
	return 0;
}

void owners_done(Owners *o)
{
	free(o->records);
	*o = (Owners) {};
}

const OwnerRecord *owners_find(const Owners *o, const char *uuid)
{
	size_t at;

	if (!uuid)
		return NULL;
	at = position(o, uuid);
	return at < o->n_records && streq(o->records[at].uuid, uuid) ? &o->records[at] : NULL;
}

const char *owners_get(const Owners *o, const char *uuid)
{
	const OwnerRecord *rec = owners_find(o, uuid);

	return rec ? rec->owner : OWNER_ADMIN;
}

int owners_set(const char *root, Owners *o, const char *uuid, const char *owner)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	OwnerRecord rec = {}, *existing;
	int r;

	if (!owner_name_is_valid(owner) || gvt_uuid_normalize(uuid, rec.uuid) < 0)
		return -EINVAL;
	/* No record is the administrator's: nothing to write (and a create by root writes no file). */
	if (streq(owner, OWNER_ADMIN))
		return owners_drop(root, o, rec.uuid);
	strcpy(rec.owner, owner);
	existing = (OwnerRecord *) owners_find(o, rec.uuid);
	rec.created = existing ? existing->created : (int64_t) time(NULL);
	r = sysfs_path(&path, root, OWNERS_DIR, rec.uuid, NULL);
	if (r < 0)
		return r;
	{
		_cleanup_(json_decrefp) json_t *j = json_pack("{s:s, s:I}", "owner", rec.owner,
							      "created", (json_int_t) rec.created);

		if (!j || !(text = json_dumps(j, JSON_PRESERVE_ORDER)))
			return -ENOMEM;
	}
	r = store_write(path, text, strlen(text));
	if (r < 0)
		return r;
	if (existing) {
		*existing = rec;
		return 0;
	}
	return insert(o, &rec);
}

int owners_drop(const char *root, Owners *o, const char *uuid)
{
	_cleanup_free_ char *path = NULL;
	int r;

	/* Memory mirrors the directory (owners_load read it all): no record here, none there. */
	if (!owners_find(o, uuid))
		return 0;
	r = sysfs_path(&path, root, OWNERS_DIR, uuid, NULL);
	if (r < 0)
		return r;
	r = store_remove(path);
	if (r < 0)
		return r;
	{
		size_t at = position(o, uuid);

		memmove(o->records + at, o->records + at + 1, (o->n_records - at - 1) * sizeof(OwnerRecord));
		o->n_records--;
	}
	return 0;
}
