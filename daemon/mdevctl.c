// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <jansson.h>

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
	free(d);
	return NULL;
}

static int parse_attrs(json_t *array, Definition *d, const char **reason)
{
	size_t i;
	json_t *item;

	if (!json_is_array(array)) {
		*reason = "\"attrs\" is not an array";
		return -EBADMSG;
	}
	d->attrs = json_array_size(array) ? calloc(json_array_size(array), sizeof(Attr)) : NULL;
	if (json_array_size(array) && !d->attrs)
		return -ENOMEM;
	json_array_foreach(array, i, item) {
		const char *name;
		json_t *value;

		/* mdevctl writes one single-member object per attribute, keeping the order. */
		if (!json_is_object(item) || json_object_size(item) != 1) {
			*reason = "an \"attrs\" entry is not an object with one member";
			return -EBADMSG;
		}
		json_object_foreach(item, name, value) {
			char num[32];
			const char *text = json_is_string(value) ? json_string_value(value) : NULL;

			if (json_is_integer(value)) {
				snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(value));
				text = num;
			}
			if (!text) {
				*reason = "an attribute value is neither a string nor an integer";
				return -EBADMSG;
			}
			if (!attr_name_is_safe(name)) {
				*reason = "an attribute name is not one gvtd writes (a-z 0-9 _ only; never remove, uevent "
					  "or another file every device has)";
				return -EBADMSG;
			}
			d->attrs[d->n_attrs].name = strdup(name);
			d->attrs[d->n_attrs].value = strdup(text);
			d->n_attrs++;
			if (!d->attrs[d->n_attrs - 1].name || !d->attrs[d->n_attrs - 1].value)
				return -ENOMEM;
		}
	}
	return 0;
}

int mdevctl_parse(const char *text, Definition *d, const char **reason)
{
	_cleanup_(json_decrefp) json_t *root = NULL;
	json_t *type, *start, *attrs;
	json_error_t error;

	*reason = NULL;
	root = json_loads(text, JSON_REJECT_DUPLICATES, &error);
	if (!root) {
		*reason = "not valid JSON";
		return -EBADMSG;
	}
	if (!json_is_object(root)) {
		*reason = "not a JSON object";
		return -EBADMSG;
	}
	type = json_object_get(root, "mdev_type");
	if (!json_is_string(type) || !gvt_name_is_valid(json_string_value(type))) {
		*reason = "\"mdev_type\" is missing or not a valid type name";
		return -EBADMSG;
	}
	start = json_object_get(root, "start");
	if (!json_is_string(start) ||
	    (!streq(json_string_value(start), "auto") && !streq(json_string_value(start), "manual"))) {
		*reason = "\"start\" is missing or neither \"auto\" nor \"manual\"";
		return -EBADMSG;
	}
	d->type = strdup(json_string_value(type));
	if (!d->type)
		return -ENOMEM;
	d->autostart = streq(json_string_value(start), "auto");
	attrs = json_object_get(root, "attrs");
	return attrs ? parse_attrs(attrs, d, reason) : 0;
}

int mdevctl_format(const Definition *d, char **ret)
{
	_cleanup_(json_decrefp) json_t *root = NULL;
	json_t *attrs;
	char *s;

	root = json_pack("{s:s, s:s, s:[]}", "mdev_type", d->type, "start", d->autostart ? "auto" : "manual",
			 "attrs");
	if (!root)
		return -ENOMEM;
	attrs = json_object_get(root, "attrs");
	for (size_t i = 0; i < d->n_attrs; i++)
		if (json_array_append_new(attrs, json_pack("{s:s}", d->attrs[i].name, d->attrs[i].value)) < 0)
			return -ENOMEM;
	s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!s)
		return -ENOMEM;
	/* A text file ends in a newline, as mdevctl's do. */
	*ret = realloc(s, strlen(s) + 2);
	if (!*ret) {
		free(s);
		return -ENOMEM;
	}
	strcat(*ret, "\n");
	return 0;
}

int mdevctl_load_one(const char *root, const char *parent, const char *name, Definition **ret)
{
	_cleanup_(definition_freep) Definition *d = NULL;
	_cleanup_free_ char *path = NULL, *text = NULL;
	const char *reason;
	size_t len;
	int r;

	*ret = NULL;
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
		(void) store_set_aside(path, r == -EFBIG ? "larger than 1 MiB" : "not a regular file");
		return 0;
	}
	/* mdevctl truncates, then writes: an empty file is one being written, not a bad one. */
	if (len == 0) {
		log_debug("Skipping %s for now: it is empty.", path);
		return 0;
	}
	r = mdevctl_parse(text, d, &reason);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		(void) store_set_aside(path, reason);
		return 0;
	}
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

int mdevctl_load_all(const char *root, Definition ***ret, size_t *ret_n)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_closedir_ DIR *top = NULL;
	Definition **list = NULL;
	size_t n = 0;
	struct dirent *pe;
	int r = 0;

	r = sysfs_path(&dir, root, MDEVCTL_DIR, NULL);
	if (r < 0)
		return r;
	top = opendir(dir);
	if (!top) {
		*ret = NULL;
		*ret_n = 0;
		return errno == ENOENT ? 0 : -errno;
	}
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

			/* Temporary files of a write in progress, set-aside files. */
			if (de->d_name[0] == STORE_HIDDEN_PREFIX)
				continue;
			r = mdevctl_load_one(root, pe->d_name, de->d_name, &def);
			if (r >= 0 && def && (r = push(&list, &n, def)) < 0)
				definition_free(def);
		}
	}
	if (r < 0) {
		for (size_t i = 0; i < n; i++)
			definition_free(list[i]);
		free(list);
		return r;
	}
	*ret = list;
	*ret_n = n;
	return 0;
}

int mdevctl_save(const char *root, const Definition *d)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	int r;

	r = sysfs_path(&path, root, MDEVCTL_DIR, d->parent, d->uuid, NULL);
	if (r < 0)
		return r;
	r = mdevctl_format(d, &text);
	if (r < 0)
		return r;
	return store_write(path, text, strlen(text));
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
