// SPDX-License-Identifier: GPL-2.0-only
/*
 * gvt_mdev: the vGPU's display as a VMM sees it, VFIO_DEVICE_QUERY_GFX_PLANE.
 * The primary plane and the cursor of pipe A are decoded from the vGPU's
 * own Gen9 display registers in its MMIO image (what the guest wrote to
 * BAR0), as kvmgt's fb_decoder.c does: plane 1 of pipe A (PLANE_CTL_1_A
 * and its siblings) and CURCNTR_A/CURBASE_A/CURPOS_A, the cursor hot spot
 * from PVINFO.  A disabled pipe or plane is "no plane": success with the
 * format, sizes and dmabuf_id 0, as the VFIO UAPI documents.  A plane the
 * decoder does not understand is -EINVAL and nothing is logged (the guest
 * programs these registers; it must not be able to fill the host's log).
 *
 * The surface is a graphics address; this model backs only the vGPU's
 * aperture range (low GM) with memory, so a surface must lie there
 * (gvt_mdev_dmabuf.c takes its pages from the aperture store).
 */
#include <linux/bitfield.h>
#include <linux/uaccess.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_plane.h>
#include <asm/unaligned.h>
#include "gvt_mdev.h"

/* i915_reg.h / skl_universal_plane_regs.h: pipe A, universal plane 1. */
#define GVT_MDEV_PIPECONF_A		0x70008
#define GVT_MDEV_PIPECONF_ENABLE	BIT(31)

#define GVT_MDEV_PLANE_CTL_1_A		0x70180
#define GVT_MDEV_PLANE_CTL_ENABLE	BIT(31)
#define GVT_MDEV_PLANE_CTL_FORMAT	GENMASK(27, 24)
#define GVT_MDEV_PLANE_FORMAT_XRGB_2101010	2
#define GVT_MDEV_PLANE_FORMAT_XRGB_8888	4
#define GVT_MDEV_PLANE_FORMAT_RGB_565	14
#define GVT_MDEV_PLANE_CTL_ORDER_RGBX	BIT(20)
#define GVT_MDEV_PLANE_CTL_TILED	GENMASK(12, 10)
#define GVT_MDEV_PLANE_TILED_LINEAR	0
#define GVT_MDEV_PLANE_TILED_X		1
#define GVT_MDEV_PLANE_TILED_Y		4
#define GVT_MDEV_PLANE_TILED_YF		5
#define GVT_MDEV_PLANE_CTL_ALPHA	GENMASK(5, 4)	/* pre-GLK */
#define GVT_MDEV_PLANE_CTL_ROTATE	GENMASK(1, 0)
#define GVT_MDEV_PLANE_STRIDE_1_A	0x70188
#define GVT_MDEV_PLANE_STRIDE		GENMASK(9, 0)	/* SKL: 10 bits, in tile-row units */
#define GVT_MDEV_PLANE_POS_1_A		0x7018c
#define GVT_MDEV_PLANE_SIZE_1_A		0x70190
#define GVT_MDEV_PLANE_X		GENMASK(12, 0)	/* POS/SIZE/OFFSET: x or width */
#define GVT_MDEV_PLANE_Y		GENMASK(27, 16)	/* y or height */
#define GVT_MDEV_PLANE_SURF_1_A		0x7019c
#define GVT_MDEV_PLANE_OFFSET_1_A	0x701a4
#define GVT_MDEV_SURF_ADDR		GENMASK(31, 12)

#define GVT_MDEV_CURCNTR_A		0x70080
#define GVT_MDEV_MCURSOR_MODE		0x27
#define GVT_MDEV_MCURSOR_DISABLE	0x00
#define GVT_MDEV_MCURSOR_128_ARGB	0x22
#define GVT_MDEV_MCURSOR_256_ARGB	0x23
#define GVT_MDEV_MCURSOR_64_ARGB	0x27
#define GVT_MDEV_CURBASE_A		0x70084
#define GVT_MDEV_CURPOS_A		0x70088
#define GVT_MDEV_CURPOS_X		GENMASK(12, 0)
#define GVT_MDEV_CURPOS_X_SIGN		BIT(15)
#define GVT_MDEV_CURPOS_Y		GENMASK(27, 16)
#define GVT_MDEV_CURPOS_Y_SIGN		BIT(31)

/* PVINFO's cursor hot spot (i915_pvinfo.h, struct vgt_if). */
#define GVT_MDEV_PV_CURSOR_X_HOT	(GVT_MDEV_PVINFO_OFFSET + 0x830)
#define GVT_MDEV_PV_CURSOR_Y_HOT	(GVT_MDEV_PVINFO_OFFSET + 0x834)
#define GVT_MDEV_NO_HOTSPOT		U32_MAX

static u32 gvt_mdev_display_reg(struct gvt_mdev_vgpu *vgpu, unsigned int off)
{
	lockdep_assert_held(&vgpu->lock);
	return get_unaligned_le32(vgpu->mmio + off);
}

/*
 * A surface must lie in the vGPU's aperture range.  kvmgt's codes: a base
 * outside the vGPU's graphics memory is -EINVAL, a buffer running past it
 * -EFAULT.  kvmgt also accepts the hidden range; this model has no memory
 * behind it.
 */
static int gvt_mdev_display_check_surface(struct gvt_mdev_vgpu *vgpu, const struct gvt_mdev_fb *fb)
{
	const struct gvt_mdev_range *r = &vgpu->alloc.low_gm;

	if (fb->start < r->base || fb->start >= r->base + r->size)
		return -EINVAL;
	if (fb->size > r->base + r->size - fb->start)
		return -EFAULT;
	return 0;
}

/* PLANE_CTL's format field, byte order and alpha → fourcc and bytes per pixel. */
static int gvt_mdev_display_format(u32 ctl, u32 *fourcc)
{
	bool rgbx = ctl & GVT_MDEV_PLANE_CTL_ORDER_RGBX;
	bool alpha = ctl & GVT_MDEV_PLANE_CTL_ALPHA;

	switch (FIELD_GET(GVT_MDEV_PLANE_CTL_FORMAT, ctl)) {
	case GVT_MDEV_PLANE_FORMAT_RGB_565:
		*fourcc = DRM_FORMAT_RGB565;
		return 2;
	case GVT_MDEV_PLANE_FORMAT_XRGB_8888:
		if (rgbx)
			*fourcc = alpha ? DRM_FORMAT_ABGR8888 : DRM_FORMAT_XBGR8888;
		else
			*fourcc = alpha ? DRM_FORMAT_ARGB8888 : DRM_FORMAT_XRGB8888;
		return 4;
	case GVT_MDEV_PLANE_FORMAT_XRGB_2101010:
		*fourcc = rgbx ? DRM_FORMAT_XBGR2101010 : DRM_FORMAT_XRGB2101010;
		return 4;
	}
	/* YUV, NV12/P01x, indexed (no palette here), FP16. */
	return -EINVAL;
}

/* PLANE_CTL's tiling → modifier, the stride register's unit, tile height. */
static int gvt_mdev_display_tiling(u32 ctl, u64 *mod, u32 *stride_unit, u32 *tile_rows)
{
	switch (FIELD_GET(GVT_MDEV_PLANE_CTL_TILED, ctl)) {
	case GVT_MDEV_PLANE_TILED_LINEAR:
		*mod = DRM_FORMAT_MOD_LINEAR;
		*stride_unit = 64;
		*tile_rows = 1;
		return 0;
	case GVT_MDEV_PLANE_TILED_X:
		*mod = I915_FORMAT_MOD_X_TILED;
		*stride_unit = 512;
		*tile_rows = 8;
		return 0;
	case GVT_MDEV_PLANE_TILED_Y:
		*mod = I915_FORMAT_MOD_Y_TILED;
		*stride_unit = 128;
		*tile_rows = 32;
		return 0;
	case GVT_MDEV_PLANE_TILED_YF:	/* 16 and 32 bpp: 128-byte tile rows */
		*mod = I915_FORMAT_MOD_Yf_TILED;
		*stride_unit = 128;
		*tile_rows = 32;
		return 0;
	}
	return -EINVAL;
}

static int gvt_mdev_display_primary(struct gvt_mdev_vgpu *vgpu, struct gvt_mdev_fb *fb)
{
	u32 ctl = gvt_mdev_display_reg(vgpu, GVT_MDEV_PLANE_CTL_1_A);
	u32 size = gvt_mdev_display_reg(vgpu, GVT_MDEV_PLANE_SIZE_1_A);
	u32 pos = gvt_mdev_display_reg(vgpu, GVT_MDEV_PLANE_POS_1_A);
	u32 stride_unit, tile_rows;
	int cpp, ret;

	if (!(ctl & GVT_MDEV_PLANE_CTL_ENABLE))
		return -ENODEV;
	cpp = gvt_mdev_display_format(ctl, &fb->drm_format);
	if (cpp < 0)
		return cpp;
	ret = gvt_mdev_display_tiling(ctl, &fb->drm_format_mod, &stride_unit, &tile_rows);
	if (ret)
		return ret;
	/* Rotation and panning inside the surface have no place in the answer. */
	if ((ctl & GVT_MDEV_PLANE_CTL_ROTATE) ||
	    gvt_mdev_display_reg(vgpu, GVT_MDEV_PLANE_OFFSET_1_A))
		return -EINVAL;

	fb->start = gvt_mdev_display_reg(vgpu, GVT_MDEV_PLANE_SURF_1_A) & GVT_MDEV_SURF_ADDR;
	fb->width = FIELD_GET(GVT_MDEV_PLANE_X, size) + 1;
	fb->height = FIELD_GET(GVT_MDEV_PLANE_Y, size) + 1;
	fb->stride = (gvt_mdev_display_reg(vgpu, GVT_MDEV_PLANE_STRIDE_1_A) &
		      GVT_MDEV_PLANE_STRIDE) * stride_unit;
	if (fb->stride < fb->width * cpp)	/* also a stride of 0 */
		return -EINVAL;
	fb->size = fb->stride * roundup(fb->height, tile_rows);
	fb->x_pos = FIELD_GET(GVT_MDEV_PLANE_X, pos);
	fb->y_pos = FIELD_GET(GVT_MDEV_PLANE_Y, pos);
	fb->x_hot = 0;
	fb->y_hot = 0;
	return gvt_mdev_display_check_surface(vgpu, fb);
}

/*
 * A negative cursor position (sign bit) is given as its two's complement:
 * QEMU reads x_pos/y_pos as int.  kvmgt drops the sign.
 */
static u32 gvt_mdev_display_cursor_coord(u32 pos, u32 mask, u32 sign)
{
	u32 v = (pos & mask) >> __bf_shf(mask);

	return (pos & sign) ? -v : v;
}

static int gvt_mdev_display_cursor(struct gvt_mdev_vgpu *vgpu, struct gvt_mdev_fb *fb)
{
	u32 cntr = gvt_mdev_display_reg(vgpu, GVT_MDEV_CURCNTR_A);
	u32 pos = gvt_mdev_display_reg(vgpu, GVT_MDEV_CURPOS_A);
	u32 x_hot = gvt_mdev_display_reg(vgpu, GVT_MDEV_PV_CURSOR_X_HOT);
	u32 y_hot = gvt_mdev_display_reg(vgpu, GVT_MDEV_PV_CURSOR_Y_HOT);

	switch (cntr & GVT_MDEV_MCURSOR_MODE) {
	case GVT_MDEV_MCURSOR_DISABLE:
		return -ENODEV;
	case GVT_MDEV_MCURSOR_64_ARGB:
		fb->width = 64;
		break;
	case GVT_MDEV_MCURSOR_128_ARGB:
		fb->width = 128;
		break;
	case GVT_MDEV_MCURSOR_256_ARGB:
		fb->width = 256;
		break;
	default:		/* the AND/XOR and 2-bit modes */
		return -EINVAL;
	}
	fb->height = fb->width;
	fb->drm_format = DRM_FORMAT_ARGB8888;
	fb->drm_format_mod = DRM_FORMAT_MOD_LINEAR;
	fb->stride = fb->width * 4;
	fb->size = fb->stride * fb->height;
	fb->start = gvt_mdev_display_reg(vgpu, GVT_MDEV_CURBASE_A) & GVT_MDEV_SURF_ADDR;
	fb->x_pos = gvt_mdev_display_cursor_coord(pos, GVT_MDEV_CURPOS_X, GVT_MDEV_CURPOS_X_SIGN);
	fb->y_pos = gvt_mdev_display_cursor_coord(pos, GVT_MDEV_CURPOS_Y, GVT_MDEV_CURPOS_Y_SIGN);
	/* kvmgt's rule: a hot spot outside the cursor is no hot spot. */
	if (x_hot <= fb->width && y_hot <= fb->height) {
		fb->x_hot = x_hot;
		fb->y_hot = y_hot;
	} else {
		fb->x_hot = GVT_MDEV_NO_HOTSPOT;
		fb->y_hot = GVT_MDEV_NO_HOTSPOT;
	}
	return gvt_mdev_display_check_surface(vgpu, fb);
}

/* One plane of pipe A; -ENODEV when the pipe or the plane is off. */
static int gvt_mdev_display_decode(struct gvt_mdev_vgpu *vgpu, u32 plane_type,
				   struct gvt_mdev_fb *fb)
{
	if (plane_type != DRM_PLANE_TYPE_PRIMARY && plane_type != DRM_PLANE_TYPE_CURSOR)
		return -EINVAL;
	if (!(gvt_mdev_display_reg(vgpu, GVT_MDEV_PIPECONF_A) & GVT_MDEV_PIPECONF_ENABLE))
		return -ENODEV;
	if (plane_type == DRM_PLANE_TYPE_PRIMARY)
		return gvt_mdev_display_primary(vgpu, fb);
	return gvt_mdev_display_cursor(vgpu, fb);
}

static void gvt_mdev_display_answer(struct vfio_device_gfx_plane_info *info,
				    const struct gvt_mdev_fb *fb, u32 dmabuf_id)
{
	info->drm_format = fb->drm_format;
	info->drm_format_mod = fb->drm_format_mod;
	info->width = fb->width;
	info->height = fb->height;
	info->stride = fb->stride;
	info->size = fb->size;
	info->x_pos = fb->x_pos;
	info->y_pos = fb->y_pos;
	info->x_hot = fb->x_hot;
	info->y_hot = fb->y_hot;
	info->dmabuf_id = dmabuf_id;
}

/*
 * Flags as kvmgt takes them: PROBE | DMABUF asks whether dma-bufs are
 * offered (yes); a query is DMABUF alone; anything else, regions included,
 * is -EINVAL.
 */
long gvt_mdev_display_query(struct gvt_mdev_vgpu *vgpu, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_device_gfx_plane_info, dmabuf_id);
	struct vfio_device_gfx_plane_info info;
	struct gvt_mdev_fb fb = {};
	int ret, id = 0;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	if (info.flags == (VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_DMABUF))
		return 0;
	if (info.flags != VFIO_GFX_PLANE_TYPE_DMABUF)
		return -EINVAL;

	mutex_lock(&vgpu->lock);
	ret = gvt_mdev_display_decode(vgpu, info.drm_plane_type, &fb);
	if (!ret)
		id = gvt_mdev_dmabuf_id(vgpu, &fb);
	mutex_unlock(&vgpu->lock);
	if (ret == -ENODEV)		/* no plane: all zero */
		memset(&fb, 0, sizeof(fb));
	else if (ret)
		return ret;
	if (id < 0)
		return id;
	gvt_mdev_display_answer(&info, &fb, id);
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}
