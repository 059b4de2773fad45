// SPDX-License-Identifier: GPL-2.0-only
/*
 * gvt_base: the software model of a Gen9 GPU as its registers read before
 * any driver has touched it (firmware has set it up, no driver has run).
 *
 * Config space looks like a Skylake GT2 iGPU at 00:02.0.  The MMIO image
 * holds the registers the vGPU and PVINFO code read, with values a freshly
 * booted part has; every other offset is 0, as in i915's own snapshot, which
 * only fills the registers of its MMIO table into a zeroed 2 MiB image.  The
 * PVINFO page (0x78000) stays 0: its magic is how a guest learns it is a
 * vGPU, and the host is not one.
 */
#include <linux/pci_ids.h>
#include <linux/pci_regs.h>
#include <asm/unaligned.h>
#include "gvt_base_internal.h"

/* Capability chain of a Skylake iGPU; offsets as on the real part. */
#define GVT_BASE_CAP_VNDR		0x40
#define GVT_BASE_CAP_EXP		0x70
#define GVT_BASE_CAP_MSI		0xac
#define GVT_BASE_CAP_PM			0xd0

#define GVT_BASE_GMCH_CTRL		0x50	/* graphics control (SNB_GMCH_CTRL) */
#define GVT_BASE_BDSM			0x5c	/* base of stolen memory */
#define GVT_BASE_ASLS			0xfc	/* OpRegion address */

/* GMCH_CTRL: 64 MiB stolen (GMS 2, in 32 MiB), 8 MiB GTT (GGMS 3): a 4 GiB GGTT. */
#define GVT_BASE_GMCH_CTRL_VAL		((0x02 << 8) | (0x3 << 6))

#define GVT_BASE_BAR0_ADDR		0xf6000000ULL	/* 16 MiB aligned */
#define GVT_BASE_BAR2_ADDR		0x4000000000ULL	/* 256 GiB, above any aperture size */
#define GVT_BASE_BAR4_ADDR		0xf000

static void gvt_base_model_fill_cfg(const struct gvt_base_model *model, u8 *cfg)
{
	u64 bar0 = GVT_BASE_BAR0_ADDR | PCI_BASE_ADDRESS_MEM_TYPE_64;
	u64 bar2 = GVT_BASE_BAR2_ADDR | PCI_BASE_ADDRESS_MEM_TYPE_64 |
		   PCI_BASE_ADDRESS_MEM_PREFETCH;

	put_unaligned_le16(model->vendor, cfg + PCI_VENDOR_ID);
	put_unaligned_le16(model->device, cfg + PCI_DEVICE_ID);
	/* Firmware enabled decoding and bus mastering for its own console. */
	put_unaligned_le16(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER,
			   cfg + PCI_COMMAND);
	put_unaligned_le16(PCI_STATUS_CAP_LIST, cfg + PCI_STATUS);
	cfg[PCI_REVISION_ID] = model->revision;
	put_unaligned_le16(PCI_CLASS_DISPLAY_VGA, cfg + PCI_CLASS_DEVICE);
	cfg[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
	put_unaligned_le64(bar0, cfg + PCI_BASE_ADDRESS_0);
	put_unaligned_le64(bar2, cfg + PCI_BASE_ADDRESS_2);
	put_unaligned_le32(GVT_BASE_BAR4_ADDR | PCI_BASE_ADDRESS_SPACE_IO,
			   cfg + PCI_BASE_ADDRESS_4);
	put_unaligned_le16(model->vendor, cfg + PCI_SUBSYSTEM_VENDOR_ID);
	put_unaligned_le16(0x2212, cfg + PCI_SUBSYSTEM_ID);
	cfg[PCI_CAPABILITY_LIST] = GVT_BASE_CAP_VNDR;
	cfg[PCI_INTERRUPT_LINE] = 0xff;
	cfg[PCI_INTERRUPT_PIN] = 1;

	/* Intel's vendor-specific capability (12 bytes), then the standard ones. */
	cfg[GVT_BASE_CAP_VNDR + PCI_CAP_LIST_ID] = PCI_CAP_ID_VNDR;
	cfg[GVT_BASE_CAP_VNDR + PCI_CAP_LIST_NEXT] = GVT_BASE_CAP_EXP;
	cfg[GVT_BASE_CAP_VNDR + 2] = 0x0c;
	put_unaligned_le16(GVT_BASE_GMCH_CTRL_VAL, cfg + GVT_BASE_GMCH_CTRL);
	put_unaligned_le32(0x7b800001, cfg + GVT_BASE_BDSM);	/* 0x7b800000, locked */

	/* PCIe v2, root complex integrated endpoint. */
	cfg[GVT_BASE_CAP_EXP + PCI_CAP_LIST_ID] = PCI_CAP_ID_EXP;
	cfg[GVT_BASE_CAP_EXP + PCI_CAP_LIST_NEXT] = GVT_BASE_CAP_MSI;
	put_unaligned_le16(2 | (PCI_EXP_TYPE_RC_END << 4), cfg + GVT_BASE_CAP_EXP + PCI_EXP_FLAGS);

	cfg[GVT_BASE_CAP_MSI + PCI_CAP_LIST_ID] = PCI_CAP_ID_MSI;
	cfg[GVT_BASE_CAP_MSI + PCI_CAP_LIST_NEXT] = GVT_BASE_CAP_PM;

	/* PM v1.2, D0. */
	cfg[GVT_BASE_CAP_PM + PCI_CAP_LIST_ID] = PCI_CAP_ID_PM;
	put_unaligned_le16(0x0022, cfg + GVT_BASE_CAP_PM + PCI_PM_PMC);

	put_unaligned_le32(0x7a8f5018, cfg + GVT_BASE_ASLS);
}

struct gvt_base_model_reg {
	u32 offset;
	u32 value;
};

/* Engine ring bases: render, video, video 2, video enhance, blitter. */
static const u32 gvt_base_model_engines[] = { 0x2000, 0x12000, 0x1c000, 0x1a000, 0x22000 };

#define GVT_BASE_RING_HWSTAM		0x98
#define GVT_BASE_RING_MI_MODE		0x9c
#define GVT_BASE_RING_IMR		0xa8
#define GVT_BASE_MI_MODE_IDLE		BIT(9)

/*
 * Registers with a non-zero value before any driver ran.  Fences
 * (0x100000), ring pointers and interrupt enables are 0: off.
 */
static const struct gvt_base_model_reg gvt_base_model_regs[] = {
	{ 0x9120, 0x02800000 },		/* GEN8_FUSE2: slice 0, subslice 3 fused off (GT2) */
	{ 0xc000, 0x00000001 },		/* GUC_STATUS: MIA in reset, GuC not loaded */
	{ 0x145998, 0x00071417 },	/* GEN6_RP_STATE_CAP: RP0 1150, RP1 1000, RPn 350 MHz */
};

static void gvt_base_model_fill_mmio(u8 *mmio)
{
	unsigned int i;
	u32 base;

	for (i = 0; i < ARRAY_SIZE(gvt_base_model_engines); i++) {
		base = gvt_base_model_engines[i];
		put_unaligned_le32(GVT_BASE_MI_MODE_IDLE, mmio + base + GVT_BASE_RING_MI_MODE);
		put_unaligned_le32(~0u, mmio + base + GVT_BASE_RING_HWSTAM);
		put_unaligned_le32(~0u, mmio + base + GVT_BASE_RING_IMR);
	}
	for (i = 0; i < ARRAY_SIZE(gvt_base_model_regs); i++)
		put_unaligned_le32(gvt_base_model_regs[i].value,
				   mmio + gvt_base_model_regs[i].offset);
}

void gvt_base_model_fill(const struct gvt_base_model *model, u8 *cfg, u8 *mmio)
{
	gvt_base_model_fill_cfg(model, cfg);
	gvt_base_model_fill_mmio(mmio);
}
