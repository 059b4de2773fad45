// SPDX-License-Identifier: GPL-2.0-only
/*
 * gvt_mdev: a vGPU's PCI config space (kvmgt's gvt/cfg_space.c).
 *
 * It starts as the snapshot's with kvmgt's adjustments.  Writes go through
 * a per-byte mask of writable bits: the standard header follows kvmgt's
 * table, BAR0 and BAR2 keep their low flag bits and the address bits below
 * their size at 0 (so writing all-ones reads back the size mask), BAR4/5
 * and the ROM BAR are not implemented and stay 0, and PCI_STATUS's error
 * bits are write-one-to-clear.  Above the header everything is writable,
 * as in kvmgt (QEMU programs the MSI capability there).
 *
 * ASLS (0xfc) starts at 0; the guest's firmware writes the guest physical
 * address where it placed the OpRegion, and reads return it.  kvmgt also
 * remembers the guest frames to reach the guest's OpRegion copy; the model
 * has nothing to do with them.  As kvmgt (which splits accesses at their
 * alignment and refuses an ASLS piece not at 0xfc), a write that begins
 * inside ASLS is -EINVAL and changes nothing.  The check sees the pieces
 * gvt_mdev_vgpu.c cuts an access into, so a write of more than 64 bytes
 * whose later piece begins there ends short at ASLS instead; VMMs write
 * config space 1, 2 or 4 bytes at a time.
 */
#include <linux/module.h>
#include <linux/pci_regs.h>
#include <asm/unaligned.h>
#include "gvt_mdev.h"

static bool gvt_mdev_primary = true;
module_param_named(primary, gvt_mdev_primary, bool, 0444);
MODULE_PARM_DESC(primary,
		 "vGPUs are the guest's primary VGA device, class 0x0300, as kvmgt makes them (default Y); N gives class 0x0380 (VGA_OTHER)");

#define GVT_MDEV_CFG_GMCH_CTRL		0x50
#define GVT_MDEV_CFG_GMCH_GMS		(0xff << 8)	/* stolen memory size */
#define GVT_MDEV_CFG_OPREGION		0xfc		/* ASLS */
#define GVT_MDEV_CFG_CLASS_VGA_OTHER	0x80
#define GVT_MDEV_CFG_STATUS_RW1C	0xf9		/* PCI_STATUS high byte */

/* kvmgt's writable bits of the header, except the BARs. */
static const u8 gvt_mdev_cfg_header_wmask[PCI_STD_HEADER_SIZEOF] = {
	[PCI_COMMAND] = 0xff, 0x07,
	[PCI_CACHE_LINE_SIZE] = 0xff,
	[PCI_INTERRUPT_LINE] = 0xff,
};

static u64 gvt_mdev_cfg_bar_size(const struct gvt_mdev_vgpu *vgpu, unsigned int bar)
{
	const struct gvt_base_resources *res = gvt_base_gpu_resources(vgpu->parent->gpu);

	switch (bar) {
	case 0:
		return res->gttmmio_size;
	case 2:
		return res->aperture_size;
	}
	return 0;
}

/* Writable bits of the config byte at off. */
static u8 gvt_mdev_cfg_wmask(const struct gvt_mdev_vgpu *vgpu, unsigned int off)
{
	unsigned int bar, shift;
	u64 size, mask;

	if (off >= PCI_STD_HEADER_SIZEOF)
		return 0xff;
	if (off < PCI_BASE_ADDRESS_0 || off >= PCI_CARDBUS_CIS)
		return gvt_mdev_cfg_header_wmask[off];

	/* BAR0 and BAR2 are 64-bit: a pair of dwords each. */
	bar = (off - PCI_BASE_ADDRESS_0) / 8 * 2;
	shift = (off - PCI_BASE_ADDRESS_0) % 8 * 8;
	size = gvt_mdev_cfg_bar_size(vgpu, bar);
	if (!size)
		return 0;
	/* Sizes are powers of two of at least 16: the flag bits stay too. */
	mask = ~(size - 1);
	return mask >> shift;
}

/* The initial state: the snapshot, adjusted as kvmgt's intel_vgpu_init_cfg_space. */
void gvt_mdev_cfg_reset(struct gvt_mdev_vgpu *vgpu)
{
	u8 *cfg = vgpu->cfg_space;
	u16 gmch;

	memcpy(cfg, gvt_base_gpu_snapshot(vgpu->parent->gpu)->cfg_space,
	       GVT_BASE_CFG_SPACE_SIZE);
	if (!gvt_mdev_primary) {
		cfg[PCI_CLASS_DEVICE] = GVT_MDEV_CFG_CLASS_VGA_OTHER;
		cfg[PCI_CLASS_PROG] = GVT_MDEV_CFG_CLASS_VGA_OTHER;
	}
	/* The guest gets no stolen memory. */
	gmch = get_unaligned_le16(cfg + GVT_MDEV_CFG_GMCH_CTRL);
	put_unaligned_le16(gmch & ~GVT_MDEV_CFG_GMCH_GMS, cfg + GVT_MDEV_CFG_GMCH_CTRL);
	/* Decoding and bus mastering are the guest's to enable. */
	cfg[PCI_COMMAND] &= ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	/* The guest assigns the upper halves; no I/O BAR, OpRegion or ROM. */
	memset(cfg + PCI_BASE_ADDRESS_1, 0, 4);
	memset(cfg + PCI_BASE_ADDRESS_3, 0, 4);
	memset(cfg + PCI_BASE_ADDRESS_4, 0, 8);
	memset(cfg + GVT_MDEV_CFG_OPREGION, 0, 4);
	memset(cfg + PCI_ROM_ADDRESS, 0, 4);
}

int gvt_mdev_cfg_rw(struct gvt_mdev_vgpu *vgpu, u64 off, void *buf, size_t len, bool write)
{
	u8 *cfg = vgpu->cfg_space, *val = buf;
	unsigned int i, o;
	u8 mask;

	lockdep_assert_held(&vgpu->lock);

	if (off >= GVT_BASE_CFG_SPACE_SIZE || len > GVT_BASE_CFG_SPACE_SIZE - off)
		return -EINVAL;
	if (!write) {
		memcpy(buf, cfg + off, len);
		return 0;
	}
	if (off > GVT_MDEV_CFG_OPREGION && off < GVT_MDEV_CFG_OPREGION + 4)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		o = off + i;
		if (o == PCI_STATUS + 1) {
			cfg[o] &= ~(val[i] & GVT_MDEV_CFG_STATUS_RW1C);
			continue;
		}
		mask = gvt_mdev_cfg_wmask(vgpu, o);
		cfg[o] = (cfg[o] & ~mask) | (val[i] & mask);
	}
	return 0;
}
