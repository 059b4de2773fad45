/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A GPU as kvmgt (gvt/vgpu.c) accounts for it, worked out here with its
 * formulas, independently of the daemon's code: the four types, and the
 * available_instances each shows for an aperture, a GGTT and the vGPUs
 * that run.
 */
#pragma once

#include "inventory.h"

/* kvmgt's table: name, low MiB, high MiB, fences, weight */
static const struct {
	const char *name;
	unsigned low, high, fences, weight;
} kvmgt[] = {
	{ "i915-GVTg_V5_8", 64, 384, 4, 2 },
	{ "i915-GVTg_V5_4", 128, 512, 4, 4 },
	{ "i915-GVTg_V5_2", 256, 1024, 4, 8 },
	{ "i915-GVTg_V5_1", 512, 2048, 4, 16 },
};

/* Fills p (named name) with the types kvmgt registers for this GPU and their available_instances. */
static inline void kvmgt_model(Parent *p, const char *name, MdevType types[4], unsigned aperture, unsigned ggtt,
			       const unsigned held[4])
{
	long low = aperture - 128, high = ggtt - aperture - 384, fences = 32 - 4;

	for (size_t i = 0; i < 4; i++) {
		low -= (long) held[i] * kvmgt[i].low;
		high -= (long) held[i] * kvmgt[i].high;
		fences -= (long) held[i] * kvmgt[i].fences;
	}
	*p = (Parent) { .name = (char *) name, .driver = (char *) "i915", .types = types };
	for (size_t i = 0; i < 4; i++) {
		long n;

		/* kvmgt stops at the first type whose aperture does not fit at all */
		if ((aperture - 128) / kvmgt[i].low == 0)
			break;
		n = low / kvmgt[i].low;
		if (high / (long) kvmgt[i].high < n)
			n = high / kvmgt[i].high;
		if (fences / (long) kvmgt[i].fences < n)
			n = fences / kvmgt[i].fences;
		types[i] = (MdevType) {
			.name = (char *) kvmgt[i].name,
			.pretty_name = (char *) kvmgt[i].name + 5,
			.described = true,
			.desc = { kvmgt[i].low, kvmgt[i].high, kvmgt[i].fences, kvmgt[i].weight, "1920x1200" },
			.available = n > 0 ? n : 0,
		};
		p->n_types++;
	}
}
