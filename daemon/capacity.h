/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which resource ran out. The mdev ABI gives only available_instances per
 * type; kvmgt computes it as min(aperture_free / aperture, hidden_free /
 * hidden, fences_free / fences). Every type's count is a lower bound on each
 * free resource (count * size), so the resources a type needs more of than
 * any bound proves free are the ones that may have run out. kvmgt also caps
 * the number of vGPUs per GPU, which available_instances does not show: a
 * kernel ENOSPC while the type still counts instances means that cap.
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

/* What the vGPUs on this parent hold, from their types' descriptions. */
void capacity_allocated(const Inventory *inv, const Parent *p, Resources *ret);

/* Bit mask (1 << Resource) of what may have run out for type t on p. */
unsigned capacity_exhausted(const Parent *p, const MdevType *t);

/*
 * Fills e with GVT_ERROR_NO_CAPACITY naming the resource(s), the type's need
 * and what the parent's vGPUs hold. Returns -ENOSPC.
 */
int capacity_explain(const Inventory *inv, const Parent *p, const MdevType *t, GvtError *e);
