/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which resource ran out. kvmgt computes available_instances as
 * min(aperture_free / aperture, hidden_free / hidden, fences_free / fences),
 * free = total - host reservation - what vGPUs hold. When the GPU's totals
 * are known (the model's parameters; a real GPU's BAR2 and GGTT size) the
 * answer is exact. Otherwise the mdev ABI alone cannot always tell (two GPUs
 * of different sizes can show the same counts), so every type's count gives
 * a lower bound on each free resource (count * size) and the resources not
 * proven sufficient are named as candidates. kvmgt also caps the number of
 * vGPUs per GPU, which available_instances does not show: an ENOSPC while
 * the type still counts instances means that cap.
 */
#pragma once

#include "errors.h"
#include "inventory.h"

typedef enum Resource {
	RESOURCE_APERTURE,        /* low GM */
	RESOURCE_HIDDEN,          /* high GM */
	RESOURCE_FENCES,
	RESOURCE_INSTANCES,       /* vGPUs per GPU */
	_RESOURCE_MAX,
} Resource;

const char *resource_to_string(Resource r);

typedef struct Resources {
	unsigned aperture_mib;
	unsigned hidden_mib;
	unsigned fences;
	unsigned count;
} Resources;

/* One resource's amount of r (MiB for aperture and hidden). */
unsigned resources_get(const Resources *r, Resource which);

/* What the vGPUs on this parent hold, from their types' descriptions. */
void capacity_allocated(const Inventory *inv, const Parent *p, Resources *ret);

/* kvmgt's host reservations, subtracted from the totals before vGPUs get any. */
#define HOST_APERTURE_MIB 128
#define HOST_HIDDEN_MIB 384
#define HOST_FENCES 4
extern const Resources capacity_host_reserved;

/* The GPU's totals (aperture, hidden = GGTT - aperture, fences); -ENODATA if not knowable. */
int capacity_totals(const char *root, const Parent *p, Resources *ret);

/*
 * Bit mask (1 << Resource) of what ran out (totals known: exact) or may have
 * run out (totals NULL) for type t on p, whose vGPUs hold *held.
 */
unsigned capacity_exhausted(const Parent *p, const MdevType *t, const Resources *held, const Resources *totals);

/*
 * Fills e with GVT_ERROR_NO_CAPACITY naming the resource(s), the type's need
 * and what the parent's vGPUs hold. Returns -ENOSPC.
 */
int capacity_explain(const char *root, const Inventory *inv, const Parent *p, const MdevType *t, GvtError *e);
