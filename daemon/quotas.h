/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-owner limits. Usage counts every running vGPU and every definition of
 * an owner (a definition reserves its resources; a running defined vGPU
 * counts once). Checks run in the core, synchronously with the operation on
 * the one event loop, before anything is written: two requests cannot both
 * pass against the same remaining room. Limits persist crash-safely in
 * ROOT/var/lib/gvtd/quotas.json; usage is never stored, it is recomputed
 * from the inventory, the definitions and the owner records.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "errors.h"
#include "inventory.h"
#include "mdevctl.h"

#define QUOTAS_FILE "quotas.json"
#define QUOTAS_DIR "var/lib/gvtd"
/* The entry for owners without their own ("gvtctl quota set @default ..."); never applies to OWNER_ADMIN. */
#define QUOTA_DEFAULT "@default"

typedef enum QuotaLimit {
	QUOTA_VGPUS,
	QUOTA_APERTURE_MIB,
	QUOTA_HIDDEN_MIB,
	QUOTA_FENCES,
	QUOTA_WEIGHT,
	_QUOTA_LIMIT_MAX,
} QuotaLimit;

/* "vgpus", "aperture-mib", "hidden-mib", "fences", "weight": JSON keys, error resource names. */
const char *quota_limit_to_string(QuotaLimit l);
/* The limit of a name, -EINVAL if none. */
int quota_limit_from_string(const char *s);

typedef struct Usage {
	uint64_t v[_QUOTA_LIMIT_MAX];
} Usage;

typedef struct Quota {
	char owner[40];           /* a user name or QUOTA_DEFAULT */
	bool set[_QUOTA_LIMIT_MAX];
	uint64_t max[_QUOTA_LIMIT_MAX];
} Quota;

typedef struct Quotas {
	Quota *entries;
	size_t n_entries;
} Quotas;

typedef struct Manager Manager;

/* The file's JSON (NUL-terminated); -EBADMSG with *reason (static text) for a bad one. */
int quotas_parse(const char *text, Quotas *ret, const char **reason);
/*
 * Reads ROOT/var/lib/gvtd/quotas.json; a corrupt file is set aside and no limits apply;
 * a read error (EMFILE, EIO...) fails, leaving the file in place.
 */
int quotas_load(const char *root, Quotas *ret);
void quotas_done(Quotas *q);

/* What one vGPU of this description costs. */
void usage_of_type(const MdevTypeDescription *d, bool described, Usage *ret);
/* What a definition reserves: its type's sizes on its parent (or any parent offering the type). */
void usage_of_definition(const Inventory *inv, const Definition *d, Usage *ret);

/* The entry that applies to owner: its own, else the default (not for OWNER_ADMIN), else NULL. */
const Quota *quotas_effective(const Quotas *q, const char *owner);
const Quota *quotas_find(const Quotas *q, const char *owner);

/* What owner holds now, recomputed from the truth. */
void quota_usage(Manager *m, const char *owner, Usage *ret);

/* One line of a listing of quotas. */
typedef struct QuotaRow {
	const char *owner;        /* belongs to m */
	const Quota *quota;       /* its own entry, NULL if none */
	Usage usage;              /* zero for QUOTA_DEFAULT */
} QuotaRow;

/*
 * Every owner with a quota entry, a vGPU or a definition, once each, sorted
 * by name, with its usage: one pass over everything and a sort, so
 * O(n log n), not one pass per owner. Free the array.
 */
int quota_rows(Manager *m, QuotaRow **ret, size_t *ret_n);

/*
 * Fails with GVT_ERROR_QUOTA_EXCEEDED (limit name in e->resource, numbers in
 * e->quota) if owner's usage plus request exceeds a limit. Every core
 * operation that adds a vGPU or a definition calls this first.
 */
int quota_check(Manager *m, const char *owner, const Usage *request, GvtError *e);

/*
 * Sets the limit of this name in q; an unknown name is GVT_ERROR_INVALID_ARGUMENT listing the known ones,
 * a value above INT64_MAX (what quotas.json can hold) GVT_ERROR_INVALID_ARGUMENT too.
 */
int quota_set_limit(Quota *q, const char *name, uint64_t value, GvtError *e);

/*
 * Replaces owner's entry (QUOTA_DEFAULT for the default) with q's limits,
 * persisted before it takes effect; an entry with no limit set is removed.
 * Lowering a limit below the current usage is allowed: only new vGPUs are refused.
 */
int quotas_set(Manager *m, const Quota *q, GvtError *e);
