/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Who owns each vGPU and definition: gvtd-only metadata, one crash-safe file
 * per UUID in ROOT/var/lib/gvtd/owners/<uuid> ({"owner": "alice", "created": <unix time>}).
 * A vGPU or definition without a record belongs to the administrator (OWNER_ADMIN).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sysfs.h"

#define OWNERS_DIR "var/lib/gvtd/owners"
#define OWNER_ADMIN "root"
#define OWNER_NAME_MAX 32

typedef struct OwnerRecord {
	char uuid[GVT_UUID_STRING_MAX];
	char owner[OWNER_NAME_MAX + 1];
	int64_t created;          /* seconds since the epoch */
} OwnerRecord;

typedef struct Owners {
	OwnerRecord *records;     /* sorted by uuid: owners_find() is a binary search */
	size_t n_records;
	size_t n_allocated;
} Owners;

/* A user name as useradd accepts it: [a-z_][a-z0-9_.-]*, at most OWNER_NAME_MAX, optional final $. */
bool owner_name_is_valid(const char *s);

/* One record's file (NUL-terminated); -EBADMSG with *reason (static text) for a bad one. */
int owners_parse(const char *text, OwnerRecord *rec, const char **reason);
/* Reads every record; corrupt files are set aside; a read error (EMFILE, EIO...) fails, setting nothing aside. */
int owners_load(const char *root, Owners *ret);
void owners_done(Owners *o);

/* O(log n): listings look up every entry's owner. */
const OwnerRecord *owners_find(const Owners *o, const char *uuid);
/* The record's owner, OWNER_ADMIN without one. */
const char *owners_get(const Owners *o, const char *uuid);

/*
 * Writes the record to disk first, then to memory; *o unchanged on failure.
 * OWNER_ADMIN is having no record: an existing one is dropped, none written.
 */
int owners_set(const char *root, Owners *o, const char *uuid, const char *owner);
/* Removes from disk, then from memory; no record is not an error. */
int owners_drop(const char *root, Owners *o, const char *uuid);
