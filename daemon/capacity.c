// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "capacity.h"
#include "kernel.h"
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

unsigned resources_get(const Resources *r, Resource which)
{
	switch (which) {
	case RESOURCE_APERTURE:
		return r->aperture_mib;
	case RESOURCE_HIDDEN:
		return r->hidden_mib;
	case RESOURCE_FENCES:
		return r->fences;
	default:
		return r->count;
	}
}

const Resources capacity_host_reserved = { HOST_APERTURE_MIB, HOST_HIDDEN_MIB, HOST_FENCES, 0 };

/* Gen8+ (everything GVT-g supports) has 32 fence registers. */
#define GEN8_FENCES 32
/* gvt_base's model: a 4 GiB GGTT (kmod/gvt_base_main.c), the aperture a module parameter. */
#define MODEL_GGTT_MIB 4096

/* A real GPU: aperture = BAR2's size, GGTT from GMCH_CTRL's GGMS field (1 << GGMS MiB of PTEs). */
static int pci_gpu_totals(const char *root, const char *dev, Resources *ret)
{
	unsigned long long start, end;
	unsigned char gmch[2];
	unsigned ggms;

	if (kernel_pci_bar(root, dev, 2, &start, &end) < 0 || end <= start ||
	    kernel_pci_config(root, dev, 0x50, gmch, sizeof(gmch)) < 0)
		return -ENODATA;
	ggms = (gmch[0] >> 6) & 3;
	if (ggms == 0)
		return -ENODATA;
	ret->aperture_mib = (end - start + 1) >> 20;
	ret->hidden_mib = (512u << ggms) - ret->aperture_mib;
	ret->fences = GEN8_FENCES;
	return 0;
}

int capacity_totals(const char *root, const Parent *p, Resources *ret)
{
	Resources t = { .fences = GEN8_FENCES };
	int r;

	if (streq(strempty(p->driver), "gvt_base")) {
		r = kernel_module_parameter_uint(root, "gvt_base", "aperture_mb", &t.aperture_mib);
		if (r < 0)
			return -ENODATA;
		t.hidden_mib = MODEL_GGTT_MIB - t.aperture_mib;
	} else if (streq(strempty(p->driver), "i915")) {
		r = pci_gpu_totals(root, p->name, &t);
		if (r < 0)
			return r;
	} else
		return -ENODATA;
	*ret = t;
	return 0;
}

unsigned capacity_exhausted(const Parent *p, const MdevType *t, const Resources *held, const Resources *totals)
{
	unsigned mask = 0;

	if (t->available > 0)
		/* The sizes fit, so the kernel refused for its per-GPU vGPU cap. */
		return 1u << RESOURCE_INSTANCES;
	if (!t->described)
		return 0;

	for (Resource r = RESOURCE_APERTURE; r <= RESOURCE_FENCES; r++) {
		unsigned long free_mib = 0;

		if (totals) {
			long f = (long) resources_get(totals, r) - resources_get(&capacity_host_reserved, r) - resources_get(held, r);

			free_mib = f > 0 ? f : 0;
		} else
			for (size_t i = 0; i < p->n_types; i++) {
				const MdevType *o = &p->types[i];
				unsigned long f = o->described ? (unsigned long) o->available * type_need(o, r) : 0;

				if (f > free_mib)
					free_mib = f;
			}
		if (free_mib < type_need(t, r))
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

int capacity_explain(const char *root, const Inventory *inv, const Parent *p, const MdevType *t, GvtError *e)
{
	char what[256] = "", names[32] = "";
	Resources held, totals;
	bool exact;
	unsigned mask;

	capacity_allocated(inv, p, &held);
	exact = capacity_totals(root, p, &totals) >= 0;
	mask = capacity_exhausted(p, t, &held, exact ? &totals : NULL);
	for (Resource r = 0; r < _RESOURCE_MAX; r++) {
		if (!(mask & (1u << r)))
			continue;
		append(names, sizeof(names), "%s%s", names[0] ? "," : "", resource_to_string(r));
		append(what, sizeof(what), "%s", what[0] ? (exact ? " and " : " or ") : "");
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
		snprintf(what, sizeof(what), "an unknown resource (the type sizes are not published, or the counts changed meanwhile)");

	if (e)
		snprintf(e->resource, sizeof(e->resource), "%s", names[0] ? names : "unknown");
	return gvt_error_set(e, GVT_ERROR_NO_CAPACITY,
			     "No capacity for a %s vGPU on %s: out of %s; remove a vGPU or pick a smaller type",
			     t->name, p->name, what);
}
