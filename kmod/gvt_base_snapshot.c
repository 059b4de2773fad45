// SPDX-License-Identifier: GPL-2.0-only
/*
 * gvt_base: the snapshot in kvmgt's golden_hw_state format, so the file
 * published in sysfs can be fed back to gvt_base or to a real kvmgt.
 */
#include <linux/crc32.h>
#include "gvt_base_internal.h"

/* kvmgt's checksum: crc32_le seeded with 0, no final inversion. */
u32 gvt_base_snapshot_crc32(const u8 *golden, size_t size)
{
	return crc32_le(0, golden + GVT_BASE_GOLDEN_CRC_START,
			size - GVT_BASE_GOLDEN_CRC_START);
}

/* Write the header of a blob whose config space and MMIO image are in place. */
void gvt_base_snapshot_seal(u8 *golden)
{
	struct gvt_base_golden_header *h = (struct gvt_base_golden_header *)golden;

	h->magic = cpu_to_le64(GVT_BASE_GOLDEN_MAGIC);
	h->version = cpu_to_le32(GVT_BASE_GOLDEN_VERSION);
	h->cfg_space_size = cpu_to_le64(GVT_BASE_CFG_SPACE_SIZE);
	h->cfg_space_offset = cpu_to_le64(GVT_BASE_GOLDEN_CFG_OFFSET);
	h->mmio_size = cpu_to_le64(GVT_BASE_MMIO_SIZE);
	h->mmio_offset = cpu_to_le64(GVT_BASE_GOLDEN_MMIO_OFFSET);
	h->crc32 = cpu_to_le32(gvt_base_snapshot_crc32(golden, GVT_BASE_GOLDEN_SIZE));
}
