// SPDX-License-Identifier: GPL-2.0-only
/*
 * gvt_mdev: BAR0 (GTTMMIO) of a vGPU: its own copy of the snapshot's 2 MiB
 * register image with the PVINFO page at 0x78000, and from 8 MiB the GGTT,
 * backed by memory.  Accesses are of 1, 2, 4 or 8 bytes, naturally aligned,
 * inside one of the two; anything else is -EINVAL.
 *
 * The PVINFO page is filled as kvmgt's populate_pvinfo_page does; the guest
 * may write only the fields kvmgt lets it (display_ready, g2v_notify, the
 * cursor hot spot, pdp, the execlist descriptor), other writes are dropped.
 * Writing GVT_MDEV_G2V_RAISE_IRQ to g2v_notify raises the vGPU's interrupt:
 * the doorbell a VMM or test uses to see one arrive.
 *
 * Everything else is a store, except a few registers a guest's i915 writes
 * and then polls for the hardware's answer (gvt_mdev_mmio_reg_write): with a
 * store it would wait for an answer that never comes and end in a WARN or
 * a timeout. Each answers as the hardware does when the request succeeds
 * at once, or, where nothing stands behind it (no display sink, no SAGV),
 * as hardware without it answers. kvmgt's handlers.c does the same for
 * these registers.
 */
#include <linux/vmalloc.h>
#include <asm/unaligned.h>
#include "gvt_mdev.h"

/* i915_pvinfo.h: struct vgt_if. */
#define GVT_MDEV_PVINFO_MAGIC		0x4776544776544776ULL	/* "vGTvGTvG" */
#define GVT_MDEV_PVINFO_VERSION_MAJOR	0x08
#define GVT_MDEV_PVINFO_VERSION_MINOR	0x0a
#define GVT_MDEV_PVINFO_VGT_ID		0x0c
#define GVT_MDEV_PVINFO_VGT_CAPS	0x10
#define GVT_MDEV_PVINFO_MAPPABLE	0x40	/* base, size */
#define GVT_MDEV_PVINFO_NONMAPPABLE	0x48	/* base, size */
#define GVT_MDEV_PVINFO_FENCE_NUM	0x50
#define GVT_MDEV_PVINFO_DISPLAY_READY	0x804
#define GVT_MDEV_PVINFO_G2V_NOTIFY	0x818
#define GVT_MDEV_PVINFO_CURSOR_X_HOT	0x830
#define GVT_MDEV_PVINFO_CURSOR_Y_HOT	0x834
#define GVT_MDEV_PVINFO_GUEST_END	0x860	/* after pdp[4] and the execlist descriptor */

#define GVT_MDEV_CAPS_FULL_PPGTT	BIT(2)
#define GVT_MDEV_CAPS_HWSP_EMULATION	BIT(3)
#define GVT_MDEV_CAPS_HUGE_GTT		BIT(4)

/* Not one of kvmgt's VGT_G2V_* notifications (2-7). */
#define GVT_MDEV_G2V_RAISE_IRQ		0x100

/* Status registers kvmgt fixes after copying the snapshot (intel_vgpu_reset_mmio). */
#define GVT_MDEV_GUC_STATUS		0xc000
#define GVT_MDEV_GS_MIA_IN_RESET	BIT(0)
#define GVT_MDEV_GT_THREAD_STATUS	0x13805c
#define GVT_MDEV_GT_CORE_STATUS		0x138060

/*
 * Registers that answer a guest's request (i915_reg.h and its display and
 * GT siblings, Skylake values).
 */
#define GVT_MDEV_RING_MI_MODE		0x9c	/* from each engine's base */
#define GVT_MDEV_RING_RESET_CTL		0xd0
#define GVT_MDEV_RESET_CTL_REQUEST	BIT(0)
#define GVT_MDEV_RESET_CTL_READY	BIT(1)
#define GVT_MDEV_GDRST			0x941c
#define GVT_MDEV_PCODE_MAILBOX		0x138124
#define GVT_MDEV_PCODE_DATA		0x138128
#define GVT_MDEV_PCODE_READY		BIT(31)
#define GVT_MDEV_PCODE_CMD		GENMASK(7, 0)
#define GVT_MDEV_PCODE_ILLEGAL_CMD	0x1
#define GVT_MDEV_PCODE_CDCLK_CONTROL	0x7
#define GVT_MDEV_CDCLK_READY_FOR_CHANGE	BIT(0)
#define GVT_MDEV_PCODE_SAGV_CONTROL	0x21
#define GVT_MDEV_PWR_WELL_CTL1		0x45400	/* BIOS, driver, KVMr, debug */
#define GVT_MDEV_PWR_WELL_CTLS		4
#define GVT_MDEV_PWR_WELL_REQUESTS	0xaaaaaaaa	/* odd bits; state is the bit below */
#define GVT_MDEV_DBUF_CTL		0x45008
#define GVT_MDEV_DBUF_POWER_REQUEST	BIT(31)
#define GVT_MDEV_DBUF_POWER_STATE	BIT(30)
#define GVT_MDEV_LCPLL1_CTL		0x46010
#define GVT_MDEV_LCPLL2_CTL		0x46014
#define GVT_MDEV_LCPLL_ENABLE		BIT(31)
#define GVT_MDEV_LCPLL_LOCK		BIT(30)
#define GVT_MDEV_DPLL_CTRL1		0x6c058
#define GVT_MDEV_DPLL0_OVERRIDE_810	0x5	/* DPLL0: override, link rate 810: VCO 8.1 GHz */
#define GVT_MDEV_CDCLK_CTL		0x46000
#define GVT_MDEV_CDCLK_450		0x382	/* 450 MHz: FREQ_SEL 0, decimal (450 - 1) * 2 */
#define GVT_MDEV_SKL_FUSE_STATUS	0x42000
#define GVT_MDEV_FUSES_DISTRIBUTED	(BIT(31) | BIT(27) | BIT(26) | BIT(25))	/* download, PG0-2 */
#define GVT_MDEV_AUX_CH_CTL_A		0x64010	/* ports A-D, 0x100 apart */
#define GVT_MDEV_AUX_PORTS		4
#define GVT_MDEV_AUX_SEND_BUSY		BIT(31)
#define GVT_MDEV_AUX_DONE		BIT(30)
#define GVT_MDEV_AUX_TIME_OUT_ERROR	BIT(28)
#define GVT_MDEV_AUX_RECEIVE_ERROR	BIT(25)
#define GVT_MDEV_AUX_STATUS		(GVT_MDEV_AUX_DONE | GVT_MDEV_AUX_TIME_OUT_ERROR | \
					 GVT_MDEV_AUX_RECEIVE_ERROR)

/* The engines' register bases: render, blitter, video, video 2, video enhance. */
static const u32 gvt_mdev_engine_bases[] = { 0x2000, 0x22000, 0x12000, 0x1c000, 0x1a000 };

/*
 * Interrupt identity registers, write one to clear: GT 0-3, pipes A-C,
 * port, misc, PCU, PCH, eDP PSR. i915 WARNs if one is not 0 after it
 * cleared it.
 */
static const u32 gvt_mdev_iir_regs[] = {
	0x44308, 0x44318, 0x44328, 0x44338, 0x44408, 0x44418, 0x44428,
	0x44448, 0x44468, 0x444e8, 0xc4008, 0x64838,
};

int gvt_mdev_mmio_init(struct gvt_mdev_vgpu *vgpu)
{
	u64 ggtt = gvt_base_gpu_resources(vgpu->parent->gpu)->ggtt_size;

	vgpu->mmio = vmalloc(GVT_BASE_MMIO_SIZE);
	if (!vgpu->mmio)
		return -ENOMEM;
	gvt_mdev_store_init(&vgpu->gtt, ggtt / PAGE_SIZE * GVT_MDEV_GTT_ENTRY_SIZE);
	return 0;
}

void gvt_mdev_mmio_fini(struct gvt_mdev_vgpu *vgpu)
{
	gvt_mdev_store_clear(&vgpu->gtt);
	vfree(vgpu->mmio);
}

static void gvt_mdev_pvinfo_fill(struct gvt_mdev_vgpu *vgpu)
{
	u8 *pv = vgpu->mmio + GVT_MDEV_PVINFO_OFFSET;
	const struct gvt_mdev_alloc *a = &vgpu->alloc;

	memset(pv, 0, GVT_MDEV_PVINFO_SIZE);
	put_unaligned_le64(GVT_MDEV_PVINFO_MAGIC, pv);
	put_unaligned_le16(1, pv + GVT_MDEV_PVINFO_VERSION_MAJOR);
	put_unaligned_le16(0, pv + GVT_MDEV_PVINFO_VERSION_MINOR);
	put_unaligned_le32(a->id, pv + GVT_MDEV_PVINFO_VGT_ID);
	put_unaligned_le32(GVT_MDEV_CAPS_FULL_PPGTT | GVT_MDEV_CAPS_HWSP_EMULATION |
			   GVT_MDEV_CAPS_HUGE_GTT, pv + GVT_MDEV_PVINFO_VGT_CAPS);
	put_unaligned_le32(a->low_gm.base, pv + GVT_MDEV_PVINFO_MAPPABLE);
	put_unaligned_le32(a->low_gm.size, pv + GVT_MDEV_PVINFO_MAPPABLE + 4);
	put_unaligned_le32(a->high_gm.base, pv + GVT_MDEV_PVINFO_NONMAPPABLE);
	put_unaligned_le32(a->high_gm.size, pv + GVT_MDEV_PVINFO_NONMAPPABLE + 4);
	put_unaligned_le32(a->fences.size, pv + GVT_MDEV_PVINFO_FENCE_NUM);
	put_unaligned_le32(U32_MAX, pv + GVT_MDEV_PVINFO_CURSOR_X_HOT);
	put_unaligned_le32(U32_MAX, pv + GVT_MDEV_PVINFO_CURSOR_Y_HOT);
}

/* The initial state, as kvmgt's device-model-level reset leaves it. */
void gvt_mdev_mmio_reset(struct gvt_mdev_vgpu *vgpu)
{
	u8 *mmio = vgpu->mmio;
	u32 guc;

	memcpy(mmio, gvt_base_gpu_snapshot(vgpu->parent->gpu)->mmio, GVT_BASE_MMIO_SIZE);
	put_unaligned_le32(0, mmio + GVT_MDEV_GT_THREAD_STATUS);
	put_unaligned_le32(0, mmio + GVT_MDEV_GT_CORE_STATUS);	/* C0 */
	guc = get_unaligned_le32(mmio + GVT_MDEV_GUC_STATUS);
	put_unaligned_le32(guc | GVT_MDEV_GS_MIA_IN_RESET, mmio + GVT_MDEV_GUC_STATUS);
	/*
	 * What firmware leaves on a real part and the model's snapshot lacks:
	 * the power-gate fuses distributed (i915 WARNs waiting for them) and
	 * DPLL0 running the 8.1 GHz VCO with CDCLK at 450 MHz (i915 WARNs on a
	 * preferred VCO of 0). A real golden_hw_state has its own values.
	 */
	if (!get_unaligned_le32(mmio + GVT_MDEV_SKL_FUSE_STATUS))
		put_unaligned_le32(GVT_MDEV_FUSES_DISTRIBUTED, mmio + GVT_MDEV_SKL_FUSE_STATUS);
	if (!get_unaligned_le32(mmio + GVT_MDEV_LCPLL1_CTL)) {
		put_unaligned_le32(GVT_MDEV_LCPLL_ENABLE | GVT_MDEV_LCPLL_LOCK,
				   mmio + GVT_MDEV_LCPLL1_CTL);
		put_unaligned_le32(GVT_MDEV_DPLL0_OVERRIDE_810, mmio + GVT_MDEV_DPLL_CTRL1);
		put_unaligned_le32(GVT_MDEV_CDCLK_450, mmio + GVT_MDEV_CDCLK_CTL);
	}
	gvt_mdev_pvinfo_fill(vgpu);
	gvt_mdev_store_clear(&vgpu->gtt);
}

/* The guest's half of PVINFO: [off, off + len) inside one writable field run. */
static bool gvt_mdev_pvinfo_writable(unsigned int off, size_t len)
{
	if (off == GVT_MDEV_PVINFO_DISPLAY_READY || off == GVT_MDEV_PVINFO_G2V_NOTIFY)
		return len == 4;
	return off >= GVT_MDEV_PVINFO_CURSOR_X_HOT && off + len <= GVT_MDEV_PVINFO_GUEST_END;
}

static void gvt_mdev_pvinfo_write(struct gvt_mdev_vgpu *vgpu, unsigned int off,
				  const void *buf, size_t len)
{
	if (!gvt_mdev_pvinfo_writable(off, len)) {
		dev_dbg_ratelimited(vgpu->vdev.dev, "PVINFO write at %#x (%zu bytes) dropped\n",
				    off, len);
		return;
	}
	memcpy(vgpu->mmio + GVT_MDEV_PVINFO_OFFSET + off, buf, len);
	if (off == GVT_MDEV_PVINFO_G2V_NOTIFY &&
	    get_unaligned_le32(buf) == GVT_MDEV_G2V_RAISE_IRQ)
		gvt_mdev_irq_raise(vgpu);
}

static bool gvt_mdev_reg_in(u32 off, const u32 *regs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (regs[i] == off)
			return true;
	return false;
}

static bool gvt_mdev_engine_reg(u32 off, u32 reg)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(gvt_mdev_engine_bases); i++)
		if (off == gvt_mdev_engine_bases[i] + reg)
			return true;
	return false;
}

/* Upper half: which bits of the lower half the write changes. */
static u32 gvt_mdev_masked(u32 old, u32 val)
{
	u32 mask = val >> 16;

	return (old & ~mask & 0xffff) | (val & mask);
}

/*
 * The pcode mailbox: a request (READY set) completes at once with error
 * code 0, except SAGV control, which answers "illegal command" as a part
 * without SAGV does (i915 then leaves SAGV alone). A CDCLK change request
 * is answered "ready for change".
 */
static u32 gvt_mdev_pcode_write(struct gvt_mdev_vgpu *vgpu, u32 val)
{
	u8 *data = vgpu->mmio + GVT_MDEV_PCODE_DATA;

	if (!(val & GVT_MDEV_PCODE_READY))
		return val;
	switch (val & GVT_MDEV_PCODE_CMD) {
	case GVT_MDEV_PCODE_SAGV_CONTROL:
		return GVT_MDEV_PCODE_ILLEGAL_CMD;
	case GVT_MDEV_PCODE_CDCLK_CONTROL:
		put_unaligned_le32(get_unaligned_le32(data) | GVT_MDEV_CDCLK_READY_FOR_CHANGE, data);
		break;
	}
	return 0;
}

/* Power wells come up or go down as soon as anyone asks; the state is one for all four. */
static void gvt_mdev_pwr_well_write(struct gvt_mdev_vgpu *vgpu, u32 off, u32 val)
{
	u8 *ctl = vgpu->mmio + GVT_MDEV_PWR_WELL_CTL1;
	u32 req = 0;
	int i;

	put_unaligned_le32(val, vgpu->mmio + off);
	for (i = 0; i < GVT_MDEV_PWR_WELL_CTLS; i++)
		req |= get_unaligned_le32(ctl + 4 * i) & GVT_MDEV_PWR_WELL_REQUESTS;
	for (i = 0; i < GVT_MDEV_PWR_WELL_CTLS; i++) {
		u32 v = get_unaligned_le32(ctl + 4 * i) & GVT_MDEV_PWR_WELL_REQUESTS;

		put_unaligned_le32(v | req >> 1, ctl + 4 * i);
	}
}

/*
 * A 4-byte write to a register whose value answers the write. Returns
 * false for a plain register, which the caller stores.
 */
static bool gvt_mdev_mmio_reg_write(struct gvt_mdev_vgpu *vgpu, u32 off, u32 val)
{
	u8 *reg = vgpu->mmio + off;
	u32 old = get_unaligned_le32(reg);

	if (gvt_mdev_engine_reg(off, GVT_MDEV_RING_MI_MODE)) {
		val = gvt_mdev_masked(old, val);
	} else if (gvt_mdev_engine_reg(off, GVT_MDEV_RING_RESET_CTL)) {
		/* An engine asked to get ready for reset is ready at once (and idle). */
		val = gvt_mdev_masked(old, val) & ~GVT_MDEV_RESET_CTL_READY;
		if (val & GVT_MDEV_RESET_CTL_REQUEST)
			val |= GVT_MDEV_RESET_CTL_READY;
	} else if (off == GVT_MDEV_GDRST) {
		/* A reset of any domain is over by the time i915 looks. */
		val = 0;
	} else if (gvt_mdev_reg_in(off, gvt_mdev_iir_regs, ARRAY_SIZE(gvt_mdev_iir_regs))) {
		val = old & ~val;
	} else if (off == GVT_MDEV_PCODE_MAILBOX) {
		val = gvt_mdev_pcode_write(vgpu, val);
	} else if (off >= GVT_MDEV_PWR_WELL_CTL1 &&
		   off < GVT_MDEV_PWR_WELL_CTL1 + 4 * GVT_MDEV_PWR_WELL_CTLS) {
		gvt_mdev_pwr_well_write(vgpu, off, val);
		return true;
	} else if (off == GVT_MDEV_DBUF_CTL) {
		val &= ~GVT_MDEV_DBUF_POWER_STATE;
		if (val & GVT_MDEV_DBUF_POWER_REQUEST)
			val |= GVT_MDEV_DBUF_POWER_STATE;
	} else if (off == GVT_MDEV_LCPLL1_CTL || off == GVT_MDEV_LCPLL2_CTL) {
		val &= ~GVT_MDEV_LCPLL_LOCK;
		if (val & GVT_MDEV_LCPLL_ENABLE)
			val |= GVT_MDEV_LCPLL_LOCK;
	} else if (off >= GVT_MDEV_AUX_CH_CTL_A &&
		   off < GVT_MDEV_AUX_CH_CTL_A + 0x100 * GVT_MDEV_AUX_PORTS &&
		   (off & 0xff) == (GVT_MDEV_AUX_CH_CTL_A & 0xff)) {
		/*
		 * No sink on any port: a transfer ends at once in a timeout,
		 * which i915 takes as "nothing connected". The status bits are
		 * write one to clear.
		 */
		val = (val & ~GVT_MDEV_AUX_STATUS) | (old & GVT_MDEV_AUX_STATUS & ~val);
		if (val & GVT_MDEV_AUX_SEND_BUSY)
			val = (val & ~GVT_MDEV_AUX_SEND_BUSY) | GVT_MDEV_AUX_DONE |
			      GVT_MDEV_AUX_TIME_OUT_ERROR;
	} else {
		return false;
	}
	put_unaligned_le32(val, reg);
	return true;
}

int gvt_mdev_mmio_rw(struct gvt_mdev_vgpu *vgpu, u64 off, void *buf, size_t len, bool write)
{
	lockdep_assert_held(&vgpu->lock);

	if ((len != 1 && len != 2 && len != 4 && len != 8) || !IS_ALIGNED(off, len))
		return -EINVAL;

	if (off + len <= GVT_BASE_MMIO_SIZE) {
		if (!write)
			memcpy(buf, vgpu->mmio + off, len);
		else if (off >= GVT_MDEV_PVINFO_OFFSET &&
			 off < GVT_MDEV_PVINFO_OFFSET + GVT_MDEV_PVINFO_SIZE)
			gvt_mdev_pvinfo_write(vgpu, off - GVT_MDEV_PVINFO_OFFSET, buf, len);
		else if (len != 4 || !gvt_mdev_mmio_reg_write(vgpu, off, get_unaligned_le32(buf)))
			memcpy(vgpu->mmio + off, buf, len);
		return 0;
	}
	if (off >= GVT_MDEV_GTT_OFFSET && off + len <= GVT_MDEV_GTT_OFFSET + vgpu->gtt.size)
		return gvt_mdev_store_rw(&vgpu->gtt, off - GVT_MDEV_GTT_OFFSET, buf, len, write);
	return -EINVAL;
}
