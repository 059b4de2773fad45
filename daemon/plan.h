/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The capacity planner: does a mix of vGPUs ("2 x GVTg_V5_4, 3 x
 * GVTg_V5_8") fit on the host now, given what runs and what is defined to
 * start automatically, where would each go, and otherwise which resource of
 * which parent runs out first; and the most of each type that still fit.
 *
 * Each parent's free resources are kvmgt's arithmetic (capacity.c): the
 * GPU's totals less the host's reservation, less what its vGPUs hold, less
 * what its auto-start definitions that do not run would take, with at most
 * 7 vGPUs per GPU (kvmgt's ids 1 to 7). Where the totals cannot be known
 * (the mdev ABI alone), each free resource is the lower bound the types'
 * available_instances prove, and the plan says it is an estimate.
 *
 * Placement is first fit, largest aperture first, over the parents in
 * inventory order: on one parent a mix fits exactly when its sums fit, so
 * the answer is exact there; across several it is a heuristic that may
 * miss a packing (never claims one that does not fit).
 */
#pragma once

#include "capacity.h"
#include "errors.h"
#include "inventory.h"
#include "mdevctl.h"

/* kvmgt's GVT_MAX_VGPU: ids 1 to 7 per GPU. */
#define PLAN_MAX_VGPUS_PER_GPU 7
/* Kinds of vGPUs and vGPUs in all one plan may ask for. */
#define PLAN_MAX_KINDS 16
#define PLAN_MAX_VGPUS 64

typedef struct PlanAsk {
	const char *type;         /* a type's directory name or its "name" attribute */
	unsigned count;
} PlanAsk;

typedef struct PlanParent {
	const Parent *parent;
	Resources free;           /* what is left for new vGPUs */
	bool exact;               /* from the GPU's totals, not a lower bound */
} PlanParent;

typedef struct PlanPlacement {
	const char *ask;          /* the PlanAsk's type, as asked */
	const MdevType *type;     /* on the parent it goes to; NULL: no place */
	const Parent *parent;
} PlanPlacement;

typedef struct PlanResult {
	bool fits;
	bool exact;               /* every parent's figures exact */
	PlanPlacement placements[PLAN_MAX_VGPUS];
	size_t n_placements;      /* one per vGPU asked for, in the order asked */
	/* When it does not fit: the first vGPU with no place, the parent it was tried on first, what ran short. */
	const char *short_type;
	const Parent *short_parent;   /* NULL: no parent offers the type */
	Resource short_resource;
} PlanResult;

/*
 * p's free resources: held are what its vGPUs hold (capacity_allocated),
 * totals the GPU's (NULL: unknown), defs the auto-start definitions that
 * do not run, any parent's (only p's count).
 */
void plan_parent(const Parent *p, const Resources *held, const Resources *totals, const Inventory *inv,
		 Definition *const *defs, size_t n_defs, PlanParent *ret);

/* Places asks on parents (their free resources are used up as it goes); fills ret. */
int plan_place(PlanParent *parents, size_t n_parents, const PlanAsk *asks, size_t n_asks, PlanResult *ret,
	       GvtError *e);

/* The most vGPUs of type t that fit in pp's free resources. */
unsigned plan_most(const PlanParent *pp, const MdevType *t);

/* The type of p that ask names, or NULL. */
const MdevType *plan_find_type(const Parent *p, const char *ask);

/* What the adapters show: each parent's room now, and the plan. */
#define PLAN_MAX_PARENTS 16
typedef struct HostPlan {
	PlanParent now[PLAN_MAX_PARENTS];     /* before the mix: for the most of each type */
	size_t n_parents;
	PlanResult result;
} HostPlan;

typedef struct Manager Manager;
/*
 * The plan for asks on the host as it is (only on parent, if not empty):
 * inventory and definitions fresh. InvalidArgument for a bad name or
 * count, NotFound for a parent or a type nobody has.
 */
int plan_host(Manager *m, const char *parent, const PlanAsk *asks, size_t n_asks, HostPlan *ret, GvtError *e);
