/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Persistent vGPU definitions in mdevctl's format and place, so mdevctl and
 * libvirt see what gvtd defines and gvtd sees what they define:
 *
 *   ROOT/etc/mdevctl.d/<parent>/<uuid>
 *   {"mdev_type": "<type>", "start": "auto"|"manual", "attrs": [{"<name>": "<value>"}, ...]}
 *
 * The directory is shared with mdevctl and libvirt, so a file is read as
 * leniently as mdevctl reads it (src/mdev.rs load_from_json): any "start"
 * but "auto" is manual, "attrs" may be missing or null, other keys are kept.
 * A rewrite changes only what gvtd changes. A file gvtd cannot use is left
 * exactly as it is and listed with the reason (Unreadable), never renamed.
 *
 * Only the file format and its directory live here; what may be defined and
 * when is the business of definitions.c.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "macro.h"
#include "sysfs.h"

#define MDEVCTL_DIR "etc/mdevctl.d"

/* One sysfs attribute written after the create, in order. */
typedef struct Attr {
	char *name;
	char *value;
} Attr;

typedef struct Definition {
	char uuid[GVT_UUID_STRING_MAX];
	char *parent;
	char *type;
	bool autostart;           /* "start": "auto" */
	Attr *attrs;
	size_t n_attrs;
	/*
	 * The file as read (NULL for a new definition): what a rewrite starts
	 * from, so keys gvtd does not know and values it did not change stay.
	 */
	json_t *document;
	bool ends_in_newline;     /* the file as read did (mdevctl's do not); new ones do */
} Definition;

Definition *definition_free(Definition *d);
DEFINE_TRIVIAL_CLEANUP_FUNC(Definition *, definition_free)
void attrs_free(Attr *attrs, size_t n);
int attrs_copy(const Attr *attrs, size_t n, Attr **ret);

/* A file in a definition's place that gvtd cannot use: left as it is, listed with why. */
typedef struct Unreadable {
	char uuid[GVT_UUID_STRING_MAX];
	char *parent;
	char *reason;
} Unreadable;

void unreadable_free_all(Unreadable *list, size_t n);

/*
 * The JSON document, as mdevctl reads it; -EBADMSG with *ret_reason (to
 * free) for what neither mdevctl nor gvtd can use. d->document keeps it all.
 */
int mdevctl_parse(const char *json, Definition *d, char **ret_reason);
/*
 * The file's text: d->document with what d changed (type, start, attrs) set
 * in place and nothing else touched, in jansson's 2-space indented form
 * (the form of mdevctl's own writer, serde_json's to_string_pretty).
 */
int mdevctl_format(const Definition *d, char **ret);

/*
 * Reads every definition below root; files that gvtd cannot use (not
 * regular, too big, not parsing) stay as they are and are returned in
 * *ret_bad. A read error (EMFILE, EIO...) fails the whole load.
 */
int mdevctl_load_all(const char *root, Definition ***ret, size_t *ret_n, Unreadable **ret_bad, size_t *ret_n_bad);
/*
 * Reads ROOT/etc/mdevctl.d/parent/name: *ret is NULL (and 0 returned) when
 * it is not a definition: no such file, an empty one (being written), a name
 * that is no UUID, or a file gvtd cannot use (then *ret_reason says why; to
 * free). < 0: it could not be read (EMFILE, ENOMEM, EIO...): to be read
 * again later. The file is never changed.
 */
int mdevctl_load_one(const char *root, const char *parent, const char *name, Definition **ret, char **ret_reason);

/*
 * Crash-safe replace / removal of one definition's file. *ret_written (if
 * not NULL): the document as written, for definition_set_document().
 */
int mdevctl_save(const char *root, const Definition *d, json_t **ret_written);
/* After a save: d's document is what its file holds now (written taken). */
void definition_set_document(Definition *d, json_t *written);
int mdevctl_delete(const char *root, const char *parent, const char *uuid);
