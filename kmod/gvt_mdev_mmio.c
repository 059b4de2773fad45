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

int gvt_mdev_mmio_rw(struct gvt_mdev_vgpu *vgpu, u64 off, void *buf, size_t len, bool write)
{
	if ((len != 1 && len != 2 && len != 4 && len != 8) || !IS_ALIGNED(off, len))
		return -EINVAL;

	if (off + len <= GVT_BASE_MMIO_SIZE) {
		if (!write)
			memcpy(buf, vgpu->mmio + off, len);
		else if (off >= GVT_MDEV_PVINFO_OFFSET &&
			 off < GVT_MDEV_PVINFO_OFFSET + GVT_MDEV_PVINFO_SIZE)
			gvt_mdev_pvinfo_write(vgpu, off - GVT_MDEV_PVINFO_OFFSET, buf, len);
		else
			memcpy(vgpu->mmio + off, buf, len);
		return 0;
	}
	if (off >= GVT_MDEV_GTT_OFFSET && off + len <= GVT_MDEV_GTT_OFFSET + vgpu->gtt.size)
		return gvt_mdev_store_rw(&vgpu->gtt, off - GVT_MDEV_GTT_OFFSET, buf, len, write);
	return -EINVAL;
}
