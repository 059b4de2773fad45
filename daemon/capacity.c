// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "capacity.h"
#include "macro.h"

static const char *const resource_names[_RESOURCE_MAX] = {
	[RESOURCE_APERTURE] = "aperture",
	[RESOURCE_HIDDEN] = "hidden",
	[RESOURCE_FENCES] = "fences",
	[RESOURCE_INSTANCES] = "instances",
};

const char *resource_to_string(Resource r)
{
	return r >= 0 && r < _RESOURCE_MAX ? resource_names[r] : NULL;
}

static unsigned type_need(const MdevType *t, Resource r)
{
	switch (r) {
	case RESOURCE_APERTURE:
		return t->desc.low_gm_mib;
	case RESOURCE_HIDDEN:
		return t->desc.high_gm_mib;
	case RESOURCE_FENCES:
		return t->desc.fences;
	default:
		return 1;
	}
}

void capacity_allocated(const Inventory *inv, const Parent *p, Resources *ret)
{
	*ret = (Resources) {};
	for (size_t i = 0; i < inv->n_vgpus; i++) {
		const Vgpu *v = inv->vgpus[i];

		if (!streq(v->parent, p->name))
			continue;
		ret->count++;
		if (!v->described)
			continue;
		ret->aperture_mib += v->desc.low_gm_mib;
		ret->hidden_mib += v->desc.high_gm_mib;
		ret->fences += v->desc.fences;
	}
}

unsigned capacity_exhausted(const Parent *p, const MdevType *t)
{
	unsigned mask = 0;

	if (t->available > 0)
		/* The sizes fit, so the kernel refused for its per-GPU vGPU cap. */
		return 1u << RESOURCE_INSTANCES;
	if (!t->described)
		return 0;

	for (Resource r = RESOURCE_APERTURE; r <= RESOURCE_FENCES; r++) {
		unsigned long proven_free = 0;

		for (size_t i = 0; i < p->n_types; i++) {
			const MdevType *o = &p->types[i];
			unsigned long f;

			if (!o->described)
				continue;
			f = (unsigned long) o->available * type_need(o, r);
			if (f > proven_free)
				proven_free = f;
		}
		if (proven_free < type_need(t, r))
			mask |= 1u << r;
	}
	return mask;
}

static void append(char *buf, size_t size, const char *format, ...) _printf_(3, 4);
static void append(char *buf, size_t size, const char *format, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len >= size - 1)
		return;
	va_start(ap, format);
	vsnprintf(buf + len, size - len, format, ap);
	va_end(ap);
}

int capacity_explain(const Inventory *inv, const Parent *p, const MdevType *t, GvtError *e)
{
	unsigned mask = capacity_exhausted(p, t);
	char what[256] = "", names[32] = "";
	Resources held;

	capacity_allocated(inv, p, &held);
	for (Resource r = 0; r < _RESOURCE_MAX; r++) {
		if (!(mask & (1u << r)))
			continue;
		append(names, sizeof(names), "%s%s", names[0] ? "," : "", resource_to_string(r));
		append(what, sizeof(what), "%s", what[0] ? " or " : "");
		switch (r) {
		case RESOURCE_APERTURE:
			append(what, sizeof(what), "aperture (needs %u MiB, vGPUs hold %u MiB)",
			       t->desc.low_gm_mib, held.aperture_mib);
			break;
		case RESOURCE_HIDDEN:
			append(what, sizeof(what), "hidden GM (needs %u MiB, vGPUs hold %u MiB)",
			       t->desc.high_gm_mib, held.hidden_mib);
			break;
		case RESOURCE_FENCES:
			append(what, sizeof(what), "fences (needs %u, vGPUs hold %u)", t->desc.fences, held.fences);
			break;
		default:
			append(what, sizeof(what), "vGPU slots (the GPU already has %u vGPUs, the kernel's limit)",
			       held.count);
			break;
		}
	}
	if (!what[0])
		snprintf(what, sizeof(what), "resource unknown (type sizes not published)");

	if (e)
		snprintf(e->resource, sizeof(e->resource), "%s", names[0] ? names : "unknown");
	return gvt_error_set(e, GVT_ERROR_NO_CAPACITY,
			     "No capacity for a %s vGPU on %s: out of %s; remove a vGPU or pick a smaller type",
			     t->name, p->name, what);
}
