/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Persistent vGPU definitions in mdevctl's format and place, so mdevctl and
 * libvirt see what gvtd defines and gvtd sees what they define:
 *
 *   ROOT/etc/mdevctl.d/<parent>/<uuid>
 *   {"mdev_type": "<type>", "start": "auto"|"manual", "attrs": [{"<name>": "<value>"}, ...]}
 *
 * Only the file format and its directory live here; what may be defined and
 * when is the business of definitions.c.
 */
#pragma once

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
} Definition;

Definition *definition_free(Definition *d);
DEFINE_TRIVIAL_CLEANUP_FUNC(Definition *, definition_free)
void attrs_free(Attr *attrs, size_t n);
int attrs_copy(const Attr *attrs, size_t n, Attr **ret);

/* The JSON document; -EBADMSG with *reason (static text) for anything mdevctl would not write. */
int mdevctl_parse(const char *json, Definition *d, const char **reason);
int mdevctl_format(const Definition *d, char **ret);

/*
 * Reads every definition below root; files that are not definitions (not
 * regular, too big, not parsing) are set aside and skipped. A read error
 * (EMFILE, EIO...) fails the whole load and sets nothing aside.
 */
int mdevctl_load_all(const char *root, Definition ***ret, size_t *ret_n);
/*
 * Reads ROOT/etc/mdevctl.d/parent/name: *ret is NULL (and 0 returned) when
 * it is not a definition: no such file, an empty one (being written), a name
 * that is no UUID, or a file set aside as no definition. < 0: it could not
 * be read (EMFILE, ENOMEM, EIO...): left in place, to be read again later.
 */
int mdevctl_load_one(const char *root, const char *parent, const char *name, Definition **ret);

/* Crash-safe replace / removal of one definition's file. */
int mdevctl_save(const char *root, const Definition *d);
int mdevctl_delete(const char *root, const char *parent, const char *uuid);
