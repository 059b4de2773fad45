/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gvt_base: what gvt_base exports to gvt_mdev, in symbol namespace GVT_BASE.
 *
 * gvt_base plays the part i915 keeps after the kvmgt dependency fix: it
 * snapshots each GPU before anything touches it and answers "is this device
 * ready", "give me its snapshot" and "what are its resource totals".  The
 * dependency is one way: gvt_base never names gvt_mdev.
 */
#ifndef GVT_BASE_H
#define GVT_BASE_H

#include <linux/auxiliary_bus.h>
#include <linux/sizes.h>
#include <linux/types.h>

/* Auxiliary device id gvt_mdev binds to: "<module>.<name>". */
#define GVT_BASE_AUXDEV_ID		"gvt_base.gpu"

#define GVT_BASE_CFG_SPACE_SIZE		SZ_4K
#define GVT_BASE_MMIO_SIZE		SZ_2M

struct gvt_base_gpu;

/* The initial hardware state, taken at probe and immutable afterwards. */
struct gvt_base_snapshot {
	const u8 *cfg_space;		/* GVT_BASE_CFG_SPACE_SIZE bytes */
	const u8 *mmio;			/* GVT_BASE_MMIO_SIZE bytes */
	size_t size;			/* of the golden_hw_state file */
	u32 crc32;			/* its header's crc32 */
};

/* What the GPU has to share out among vGPUs (before host reservations). */
struct gvt_base_resources {
	u64 gttmmio_size;		/* BAR0 */
	u64 aperture_size;		/* BAR2: mappable, "low" graphics memory */
	u64 ggtt_size;			/* all graphics memory, low + high */
	unsigned int fences;
};

struct gvt_base_gpu *gvt_base_gpu_from_auxdev(struct auxiliary_device *adev);
bool gvt_base_gpu_ready(const struct gvt_base_gpu *gpu);
struct device *gvt_base_gpu_device(const struct gvt_base_gpu *gpu);
const struct gvt_base_snapshot *gvt_base_gpu_snapshot(const struct gvt_base_gpu *gpu);
const struct gvt_base_resources *gvt_base_gpu_resources(const struct gvt_base_gpu *gpu);

#endif /* GVT_BASE_H */
