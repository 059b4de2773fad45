// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "definitions.h"
#include "inventory-watch.h"
#include "manager.h"
#include "plan.h"
#include "validate.h"

static unsigned need(const MdevType *t, Resource r)
{
	if (r == RESOURCE_INSTANCES)
		return 1;
	if (!t->described)
		return 0;
	return r == RESOURCE_APERTURE ? t->desc.low_gm_mib : r == RESOURCE_HIDDEN ? t->desc.high_gm_mib : t->desc.fences;
}

static unsigned *slot(Resources *res, Resource r)
{
	return r == RESOURCE_APERTURE ? &res->aperture_mib :
	       r == RESOURCE_HIDDEN ? &res->hidden_mib :
	       r == RESOURCE_FENCES ? &res->fences : &res->count;
}

static void take(Resources *res, Resource r, unsigned n)
{
	unsigned *s = slot(res, r);

	*s = *s > n ? *s - n : 0;
}

const MdevType *plan_find_type(const Parent *p, const char *ask)
{
	for (size_t i = 0; i < p->n_types; i++)
		if (streq(p->types[i].name, ask) || streq(strempty(p->types[i].pretty_name), ask))
			return &p->types[i];
	return NULL;
}

void plan_parent(const Parent *p, const Resources *held, const Resources *totals, const Inventory *inv,
		 Definition *const *defs, size_t n_defs, PlanParent *ret)
{
	*ret = (PlanParent) { .parent = p, .exact = totals };
	if (totals) {
		ret->free.aperture_mib = totals->aperture_mib > HOST_APERTURE_MIB ? totals->aperture_mib - HOST_APERTURE_MIB : 0;
		ret->free.hidden_mib = totals->hidden_mib > HOST_HIDDEN_MIB ? totals->hidden_mib - HOST_HIDDEN_MIB : 0;
		ret->free.fences = totals->fences > HOST_FENCES ? totals->fences - HOST_FENCES : 0;
		for (Resource r = RESOURCE_APERTURE; r <= RESOURCE_FENCES; r++)
			take(&ret->free, r, *slot((Resources *) held, r));
	} else
		/* What the kernel's counts prove is free: n more of a type need n times its size. */
		for (size_t i = 0; i < p->n_types; i++)
			for (Resource r = RESOURCE_APERTURE; r <= RESOURCE_FENCES; r++) {
				unsigned f = p->types[i].available * need(&p->types[i], r);

				if (p->types[i].described && f > *slot(&ret->free, r))
					*slot(&ret->free, r) = f;
			}
	ret->free.count = held->count < PLAN_MAX_VGPUS_PER_GPU ? PLAN_MAX_VGPUS_PER_GPU - held->count : 0;
	for (size_t i = 0; i < n_defs; i++) {
		const MdevType *t;

		if (!streq(defs[i]->parent, p->name) || inventory_find_vgpu(inv, defs[i]->uuid))
			continue;
		t = parent_find_type(p, defs[i]->type);
		for (Resource r = 0; r < _RESOURCE_MAX; r++)
			take(&ret->free, r, t ? need(t, r) : r == RESOURCE_INSTANCES);
	}
}

unsigned plan_most(const PlanParent *pp, const MdevType *t)
{
	unsigned most = UINT_MAX;

	for (Resource r = 0; r < _RESOURCE_MAX; r++) {
		unsigned n = need(t, r);

		if (n && *slot((Resources *) &pp->free, r) / n < most)
			most = *slot((Resources *) &pp->free, r) / n;
	}
	return most;
}

/* The first resource of pp too short for t, or _RESOURCE_MAX. */
static Resource short_of(const PlanParent *pp, const MdevType *t)
{
	for (Resource r = 0; r < _RESOURCE_MAX; r++)
		if (*slot((Resources *) &pp->free, r) < need(t, r))
			return r;
	return _RESOURCE_MAX;
}

/* The aperture the ask's type needs on the first parent that has it: the sort key. */
static unsigned ask_size(const PlanParent *parents, size_t n_parents, const char *ask)
{
	for (size_t i = 0; i < n_parents; i++) {
		const MdevType *t = plan_find_type(parents[i].parent, ask);

		if (t)
			return need(t, RESOURCE_APERTURE);
	}
	return 0;
}

int plan_place(PlanParent *parents, size_t n_parents, const PlanAsk *asks, size_t n_asks, PlanResult *ret,
	       GvtError *e)
{
	size_t order[PLAN_MAX_VGPUS], n = 0;
	unsigned sizes[PLAN_MAX_VGPUS];

	*ret = (PlanResult) { .fits = true, .exact = true, .short_resource = _RESOURCE_MAX };
	if (n_asks == 0)
		return gvt_error_set(e, GVT_ERROR_INVALID_ARGUMENT,
				     "Nothing to plan: name at least one vGPU, as COUNTxTYPE (e.g. 2xGVTg_V5_4)");
	if (n_asks > PLAN_MAX_KINDS)
		return gvt_error_set(e, GVT_ERROR_INVALID_ARGUMENT, "%zu kinds of vGPUs asked for; a plan takes %d at most",
				     n_asks, PLAN_MAX_KINDS);
	for (size_t i = 0; i < n_asks; i++) {
		if (asks[i].count == 0 || asks[i].count > PLAN_MAX_VGPUS - n)
			return gvt_error_set(e, GVT_ERROR_INVALID_ARGUMENT,
					     "%u x %s: a plan takes 1 to %d vGPUs in all", asks[i].count, asks[i].type,
					     PLAN_MAX_VGPUS);
		for (unsigned k = 0; k < asks[i].count; k++) {
			ret->placements[n] = (PlanPlacement) { .ask = asks[i].type };
			sizes[n] = ask_size(parents, n_parents, asks[i].type);
			order[n] = n;
			n++;
		}
	}
	ret->n_placements = n;
	for (size_t i = 0; i < n_parents; i++)
		ret->exact = ret->exact && parents[i].exact;

	/* Largest aperture first, in the order asked among equals (insertion sort: n <= 64). */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && sizes[order[j - 1]] < sizes[order[j]]; j--) {
			size_t o = order[j];

			order[j] = order[j - 1];
			order[j - 1] = o;
		}

	for (size_t k = 0; k < n; k++) {
		PlanPlacement *pl = &ret->placements[order[k]];
		const PlanParent *first = NULL;
		const MdevType *first_type = NULL;

		for (size_t i = 0; i < n_parents && !pl->parent; i++) {
			const MdevType *t = plan_find_type(parents[i].parent, pl->ask);

			if (!t)
				continue;
			if (!first) {
				first = &parents[i];
				first_type = t;
			}
			if (short_of(&parents[i], t) != _RESOURCE_MAX)
				continue;
			for (Resource r = 0; r < _RESOURCE_MAX; r++)
				take(&parents[i].free, r, need(t, r));
			pl->parent = parents[i].parent;
			pl->type = t;
		}
		if (pl->parent || !ret->fits)
			continue;
		ret->fits = false;
		ret->short_type = pl->ask;
		ret->short_parent = first ? first->parent : NULL;
		ret->short_resource = first ? short_of(first, first_type) : _RESOURCE_MAX;
	}
	return 0;
}

int plan_host(Manager *m, const char *parent, const PlanAsk *asks, size_t n_asks, HostPlan *ret, GvtError *e)
{
	PlanParent work[PLAN_MAX_PARENTS];
	int r;

	*ret = (HostPlan) {};
	if (!isempty(parent)) {
		r = validate_name("parent", parent, e);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < n_asks; i++) {
		r = validate_name("type", asks[i].type, e);
		if (r < 0)
			return r;
	}
	inventory_flush(m);
	(void) definitions_sync(m);
	if (!isempty(parent) && !inventory_find_parent(&m->inventory, parent))
		return gvt_error_set(e, GVT_ERROR_NOT_FOUND, "No mdev parent %s: list the parents with \"gvtctl parents\"",
				     parent);

	for (size_t i = 0; i < m->inventory.n_parents; i++) {
		const Parent *p = m->inventory.parents[i];
		Resources held, totals;
		bool exact;

		if (!isempty(parent) && !streq(parent, p->name))
			continue;
		if (ret->n_parents == PLAN_MAX_PARENTS)
			return gvt_error_set(e, GVT_ERROR_INVALID_ARGUMENT,
					     "More than %d parents: plan for one at a time (--parent)", PLAN_MAX_PARENTS);
		capacity_allocated(&m->inventory, p, &held);
		exact = capacity_totals(m->config.root, p, &totals) >= 0;
		plan_parent(p, &held, exact ? &totals : NULL, &m->inventory, m->definitions, m->n_definitions,
			    &ret->now[ret->n_parents++]);
	}
	for (size_t i = 0; i < n_asks; i++) {
		bool offered = false;

		for (size_t j = 0; j < ret->n_parents && !offered; j++)
			offered = plan_find_type(ret->now[j].parent, asks[i].type);
		if (!offered)
			return gvt_error_set(e, GVT_ERROR_NOT_FOUND, "No parent%s%s offers type %s: list the types with "
					     "\"gvtctl types\"", isempty(parent) ? "" : " ", strempty(parent), asks[i].type);
	}
	memcpy(work, ret->now, sizeof(work));
	return plan_place(work, ret->n_parents, asks, n_asks, &ret->result, e);
}
