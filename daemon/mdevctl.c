// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>

#include "log.h"
#include "mdevctl.h"
#include "store.h"
#include "validate.h"


void attrs_free(Attr *attrs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(attrs[i].name);
		free(attrs[i].value);
	}
	free(attrs);
}

int attrs_copy(const Attr *attrs, size_t n, Attr **ret)
{
	Attr *c = n ? calloc(n, sizeof(Attr)) : NULL;

	if (n && !c)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		c[i].name = strdup(attrs[i].name);
		c[i].value = strdup(attrs[i].value);
		if (!c[i].name || !c[i].value) {
			attrs_free(c, n);
			return -ENOMEM;
		}
	}
	*ret = c;
	return 0;
}

Definition *definition_free(Definition *d)
{
	if (!d)
		return NULL;
	free(d->parent);
	free(d->type);
	attrs_free(d->attrs, d->n_attrs);
	json_decref(d->document);
	free(d);
	return NULL;
}

void unreadable_free_all(Unreadable *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(list[i].parent);
		free(list[i].reason);
	}
	free(list);
}

/* The reason a file cannot be used, formatted; -EBADMSG (or -ENOMEM). */
static int bad(char **ret_reason, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(char **ret_reason, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(ret_reason, fmt, ap);
	va_end(ap);
	if (n < 0) {
		*ret_reason = NULL;
		return -ENOMEM;
	}
	return -EBADMSG;
}

/*
 * The value of one attribute entry, as text: mdevctl writes strings; gvtd
 * reads an integer too (as its decimal text), as it always has.
 */
static const char *attr_value_text(json_t *value, char num[static 32])
{
	if (json_is_string(value))
		return json_string_value(value);
	if (json_is_integer(value)) {
		snprintf(num, 32, "%" JSON_INTEGER_FORMAT, json_integer_value(value));
		return num;
	}
	return NULL;
}

/* The one member of an "attrs" entry; false if it is not an object with exactly one. */
static bool attr_entry(json_t *item, const char **ret_name, json_t **ret_value)
{
	if (!json_is_object(item) || json_object_size(item) != 1)
		return false;
	*ret_name = json_object_iter_key(json_object_iter(item));
	*ret_value = json_object_iter_value(json_object_iter(item));
	return true;
}

/* "attrs" as mdevctl reads it: missing or null is none; else an array of {"name": "value"} in order. */
static int parse_attrs(json_t *array, Definition *d, char **ret_reason)
{
	size_t i;
	json_t *item;

	if (!array || json_is_null(array))
		return 0;
	if (!json_is_array(array))
		return bad(ret_reason, "\"attrs\" is neither an array nor null");
	d->attrs = json_array_size(array) ? calloc(json_array_size(array), sizeof(Attr)) : NULL;
	if (json_array_size(array) && !d->attrs)
		return -ENOMEM;
	json_array_foreach(array, i, item) {
		const char *name, *text;
		json_t *value;
		char num[32];

		if (!attr_entry(item, &name, &value))
			return bad(ret_reason, "\"attrs\" entry %zu is not an object with exactly one member", i);
		text = attr_value_text(value, num);
		if (!text)
			return bad(ret_reason, "the value of attribute %zu (%.64s) is neither a string nor an integer", i,
				   name);
		/* gvtd writes these to sysfs: a name that could reach remove or uevent is never used. */
		if (!attr_name_is_safe(name))
			return bad(ret_reason, "attribute %zu is named \"%.64s\", not one gvtd writes (a-z 0-9 _ -; "
				   "never remove, uevent or another file every device has)", i, name);
		d->attrs[d->n_attrs].name = strdup(name);
		d->attrs[d->n_attrs].value = strdup(text);
		d->n_attrs++;
		if (!d->attrs[d->n_attrs - 1].name || !d->attrs[d->n_attrs - 1].value)
			return -ENOMEM;
	}
	return 0;
}

int mdevctl_parse(const char *text, Definition *d, char **ret_reason)
{
	_cleanup_(json_decrefp) json_t *root = NULL;
	json_t *type, *start;
	json_error_t error;
	int r;

	*ret_reason = NULL;
	/* No JSON_REJECT_DUPLICATES: serde_json, mdevctl's reader, takes the last of a repeated key too. */
	root = json_loads(text, 0, &error);
	if (!root)
		return bad(ret_reason, "not valid JSON (line %d, column %d: %s)", error.line, error.column, error.text);
	if (!json_is_object(root))
		return bad(ret_reason, "not a JSON object");
	type = json_object_get(root, "mdev_type");
	if (!json_is_string(type))
		return bad(ret_reason, "\"mdev_type\" is %s, not a string", type ? "of another kind" : "missing");
	if (!gvt_name_is_valid(json_string_value(type)))
		return bad(ret_reason, "\"mdev_type\" \"%.64s\" is no type name (1 to %d of A-Z a-z 0-9 . _ : + -)",
			   json_string_value(type), GVT_NAME_MAX);
	/* mdevctl: present and not null; anything but "auto" (say "Manual" or 0) is manual. */
	start = json_object_get(root, "start");
	if (!start || json_is_null(start))
		return bad(ret_reason, "\"start\" is %s: mdevctl needs it (\"auto\" or \"manual\")",
			   start ? "null" : "missing");
	d->type = strdup(json_string_value(type));
	if (!d->type)
		return -ENOMEM;
	d->autostart = json_is_string(start) && streq(json_string_value(start), "auto");
	r = parse_attrs(json_object_get(root, "attrs"), d, ret_reason);
	if (r < 0)
		return r;
	d->document = TAKE_PTR(root);
	return 0;
}

/* Whether the document's "attrs" say what d's say: then the document keeps its own spelling. */
static bool attrs_unchanged(json_t *array, const Definition *d)
{
	size_t i;
	json_t *item;

	if (!json_is_array(array))
		return d->n_attrs == 0;
	if (json_array_size(array) != d->n_attrs)
		return false;
	json_array_foreach(array, i, item) {
		const char *name, *text;
		json_t *value;
		char num[32];

		if (!attr_entry(item, &name, &value) || !(text = attr_value_text(value, num)) ||
		    !streq(name, d->attrs[i].name) || !streq(text, d->attrs[i].value))
			return false;
	}
	return true;
}

static json_t *attrs_to_json(const Definition *d)
{
	_cleanup_(json_decrefp) json_t *a = json_array();

	for (size_t i = 0; a && i < d->n_attrs; i++)
		if (json_array_append_new(a, json_pack("{s:s}", d->attrs[i].name, d->attrs[i].value)) < 0)
			return NULL;
	return TAKE_PTR(a);
}

/* json_object_set() replaces a member where it stands: the order of the file stays. */
static int set_member(json_t *o, const char *key, json_t *value)
{
	return value && json_object_set_new(o, key, value) >= 0 ? 0 : -ENOMEM;
}

/* The document to write and its text; ret_document may be NULL. */
static int format_document(const Definition *d, json_t **ret_document, char **ret)
{
	_cleanup_(json_decrefp) json_t *root = NULL;
	const char *was_type;
	json_t *start;
	bool newline = d->document ? d->ends_in_newline : true;
	char *s;
	int r = 0;

	root = d->document ? json_deep_copy(d->document) : json_object();
	if (!root)
		return -ENOMEM;
	was_type = json_string_value(json_object_get(root, "mdev_type"));
	if (!was_type || !streq(was_type, d->type))
		r = set_member(root, "mdev_type", json_string(d->type));
	start = json_object_get(root, "start");
	if (r >= 0 && (!start || (json_is_string(start) && streq(json_string_value(start), "auto")) != d->autostart))
		r = set_member(root, "start", json_string(d->autostart ? "auto" : "manual"));
	/* A new file has "attrs" always, as mdevctl's; one read without stays without while it has none. */
	if (r >= 0 && (!d->document || !attrs_unchanged(json_object_get(root, "attrs"), d)))
		r = set_member(root, "attrs", attrs_to_json(d));
	if (r < 0)
		return r;
	s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!s)
		return -ENOMEM;
	if (newline) {
		char *t = realloc(s, strlen(s) + 2);

		if (!t) {
			free(s);
			return -ENOMEM;
		}
		s = strcat(t, "\n");
	}
	*ret = s;
	if (ret_document)
		*ret_document = TAKE_PTR(root);
	return 0;
}

int mdevctl_format(const Definition *d, char **ret)
{
	return format_document(d, NULL, ret);
}

int mdevctl_load_one(const char *root, const char *parent, const char *name, Definition **ret, char **ret_reason)
{
	_cleanup_(definition_freep) Definition *d = NULL;
	_cleanup_free_ char *path = NULL, *text = NULL;
	size_t len;
	int r;

	*ret = NULL;
	*ret_reason = NULL;
	if (!gvt_name_is_valid(parent))
		return 0;
	r = sysfs_path(&path, root, MDEVCTL_DIR, parent, name, NULL);
	if (r < 0)
		return 0;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	/* mdevctl keeps its scripts.d here too: only UUIDs are definitions. */
	if (gvt_uuid_normalize(name, d->uuid) < 0) {
		log_debug("Ignoring %s: the name is not a UUID.", path);
		return 0;
	}
	d->parent = strdup(parent);
	if (!d->parent)
		return -ENOMEM;
	r = store_read(path, &text, &len);
	if (r == -ENOMEM)
		return r;
	if (r == -ENOENT)
		return 0; /* removed since the directory was read, or since inotify said it changed */
	if (r < 0 && !store_read_error_is_the_file(r))
		/* EMFILE, EIO...: says nothing about the file; the caller keeps what it had and retries. */
		return log_warning_errno(r, "Cannot read %s now, leaving it in place: %m", path);
	if (r < 0) {
		*ret_reason = strdup(r == -EFBIG ? "larger than 1 MiB" : "not a regular file");
		return *ret_reason ? 0 : -ENOMEM;
	}
	/* mdevctl truncates, then writes: an empty file is one being written, not a bad one. */
	if (len == 0) {
		log_debug("Skipping %s for now: it is empty.", path);
		return 0;
	}
	if (strlen(text) != len) {
		*ret_reason = strdup("holds a NUL byte: not a text file");
		return *ret_reason ? 0 : -ENOMEM;
	}
	r = mdevctl_parse(text, d, ret_reason);
	if (r == -EBADMSG)
		return 0;
	if (r < 0)
		return r;
	d->ends_in_newline = text[len - 1] == '\n';
	*ret = TAKE_PTR(d);
	return 0;
}

static int push(Definition ***list, size_t *n, Definition *d)
{
	Definition **l = realloc(*list, (*n + 1) * sizeof(Definition *));

	if (!l)
		return -ENOMEM;
	l[(*n)++] = d;
	*list = l;
	return 0;
}

static int push_unreadable(Unreadable **list, size_t *n, const char *parent, const char *name, char *reason)
{
	Unreadable *l = realloc(*list, (*n + 1) * sizeof(Unreadable));

	if (!l) {
		free(reason);
		return -ENOMEM;
	}
	*list = l;
	l[*n] = (Unreadable) { .reason = reason, .parent = strdup(parent) };
	(void) gvt_uuid_normalize(name, l[*n].uuid);
	(*n)++;
	return l[*n - 1].parent ? 0 : -ENOMEM;
}

int mdevctl_load_all(const char *root, Definition ***ret, size_t *ret_n, Unreadable **ret_bad, size_t *ret_n_bad)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_closedir_ DIR *top = NULL;
	Definition **list = NULL;
	Unreadable *bad_list = NULL;
	size_t n = 0, n_bad = 0;
	struct dirent *pe;
	int r = 0;

	*ret = NULL;
	*ret_n = 0;
	*ret_bad = NULL;
	*ret_n_bad = 0;
	r = sysfs_path(&dir, root, MDEVCTL_DIR, NULL);
	if (r < 0)
		return r;
	top = opendir(dir);
	if (!top)
		return errno == ENOENT ? 0 : -errno;
	while (r >= 0 && (pe = readdir(top))) {
		_cleanup_free_ char *sub = NULL;
		_cleanup_closedir_ DIR *d = NULL;
		struct dirent *de;

		if (pe->d_name[0] == '.' || sysfs_path(&sub, root, MDEVCTL_DIR, pe->d_name, NULL) < 0)
			continue;
		d = opendir(sub);
		if (!d)
			continue;
		while (r >= 0 && (de = readdir(d))) {
			Definition *def = NULL;
			char *reason = NULL;

			/* Temporary files of a write in progress; files an older gvtd set aside. */
			if (de->d_name[0] == STORE_HIDDEN_PREFIX)
				continue;
			r = mdevctl_load_one(root, pe->d_name, de->d_name, &def, &reason);
			if (r >= 0 && def && (r = push(&list, &n, def)) < 0)
				definition_free(def);
			if (r >= 0 && reason)
				r = push_unreadable(&bad_list, &n_bad, pe->d_name, de->d_name, reason);
		}
	}
	if (r < 0) {
		for (size_t i = 0; i < n; i++)
			definition_free(list[i]);
		free(list);
		unreadable_free_all(bad_list, n_bad);
		return r;
	}
	*ret = list;
	*ret_n = n;
	*ret_bad = bad_list;
	*ret_n_bad = n_bad;
	return 0;
}

int mdevctl_save(const char *root, const Definition *d, json_t **ret_written)
{
	_cleanup_(json_decrefp) json_t *written = NULL;
	_cleanup_free_ char *path = NULL, *text = NULL;
	int r;

	r = sysfs_path(&path, root, MDEVCTL_DIR, d->parent, d->uuid, NULL);
	if (r < 0)
		return r;
	r = format_document(d, &written, &text);
	if (r < 0)
		return r;
	r = store_write(path, text, strlen(text));
	if (r < 0)
		return r;
	if (ret_written)
		*ret_written = TAKE_PTR(written);
	return 0;
}

void definition_set_document(Definition *d, json_t *written)
{
	if (!d->document)
		d->ends_in_newline = true;
	json_decref(d->document);
	d->document = written;
}

int mdevctl_delete(const char *root, const char *parent, const char *uuid)
{
	_cleanup_free_ char *path = NULL;
	int r;

	r = sysfs_path(&path, root, MDEVCTL_DIR, parent, uuid, NULL);
	if (r < 0)
		return r;
	return store_remove(path);
}
