// SPDX-License-Identifier: GPL-2.0-only
/*
 * gvt_mdev: the EDID region (VFIO_REGION_TYPE_GFX / _SUBTYPE_GFX_EDID), as
 * include/uapi/linux/vfio.h defines it: struct vfio_region_gfx_edid at 0,
 * the blob at GVT_MDEV_EDID_BLOB_OFFSET.  max_xres/max_yres are the type's
 * resolution and the default blob describes a monitor with that preferred
 * mode.  Userspace may write a blob and edid_size, then set the link up: a
 * blob that is not whole, valid EDID blocks is refused and the link stays
 * as it was.  Registers are 4-byte accesses; all but edid_size and
 * link_state are read-only (-EPERM, as in kvmgt).
 */
#include <linux/kernel.h>
#include "gvt_mdev.h"

#define GVT_MDEV_EDID_BLOCK		128
#define GVT_MDEV_EDID_EXTENSIONS	126	/* byte: number of blocks after the first */
#define GVT_MDEV_EDID_DESC		54	/* four 18-byte descriptors */
#define GVT_MDEV_EDID_DESC_SIZE		18

static const u8 gvt_mdev_edid_header[8] = { 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00 };

/* Reduced blanking as CVT-RB: 160 pixels, 35 lines; 60 Hz. */
#define GVT_MDEV_EDID_HBLANK		160
#define GVT_MDEV_EDID_HFRONT		48
#define GVT_MDEV_EDID_HSYNC		32
#define GVT_MDEV_EDID_VBLANK		35
#define GVT_MDEV_EDID_VFRONT		3
#define GVT_MDEV_EDID_VSYNC		6
#define GVT_MDEV_EDID_REFRESH		60

/* A detailed timing descriptor for xres x yres; a 96 dpi panel. */
static void gvt_mdev_edid_timing(u8 *d, unsigned int xres, unsigned int yres)
{
	unsigned int clock = (xres + GVT_MDEV_EDID_HBLANK) * (yres + GVT_MDEV_EDID_VBLANK) *
			     GVT_MDEV_EDID_REFRESH / 10000;	/* 10 kHz units */
	unsigned int wmm = xres * 254 / 960, hmm = yres * 254 / 960;

	d[0] = clock & 0xff;
	d[1] = clock >> 8;
	d[2] = xres & 0xff;
	d[3] = GVT_MDEV_EDID_HBLANK & 0xff;
	d[4] = (xres >> 8) << 4 | GVT_MDEV_EDID_HBLANK >> 8;
	d[5] = yres & 0xff;
	d[6] = GVT_MDEV_EDID_VBLANK;
	d[7] = (yres >> 8) << 4;
	d[8] = GVT_MDEV_EDID_HFRONT;
	d[9] = GVT_MDEV_EDID_HSYNC;
	d[10] = GVT_MDEV_EDID_VFRONT << 4 | GVT_MDEV_EDID_VSYNC;
	d[11] = 0;
	d[12] = wmm & 0xff;
	d[13] = hmm & 0xff;
	d[14] = (wmm >> 8) << 4 | hmm >> 8;
	d[17] = 0x1a;		/* digital separate sync, +hsync -vsync */
}

static void gvt_mdev_edid_text(u8 *d, u8 tag, const char *text)
{
	size_t n = strlen(text);

	d[3] = tag;
	memset(d + 5, ' ', 13);
	memcpy(d + 5, text, n);
	if (n < 13)
		d[5 + n] = '\n';
}

static u8 gvt_mdev_edid_sum(const u8 *block)
{
	unsigned int i;
	u8 sum = 0;

	for (i = 0; i < GVT_MDEV_EDID_BLOCK; i++)
		sum += block[i];
	return sum;
}

/* EDID 1.4, one block: manufacturer "GVT", the preferred mode, name, range limits. */
static void gvt_mdev_edid_default(u8 *e, unsigned int xres, unsigned int yres)
{
	static const u8 srgb[10] = { 0xee, 0x91, 0xa3, 0x54, 0x4c, 0x99, 0x26, 0x0f, 0x50, 0x54 };
	u8 *d = e + GVT_MDEV_EDID_DESC;

	memset(e, 0, GVT_MDEV_EDID_BLOCK);
	memcpy(e, gvt_mdev_edid_header, sizeof(gvt_mdev_edid_header));
	e[8] = ('G' - '@') << 2 | ('V' - '@') >> 3;
	e[9] = (('V' - '@') & 7) << 5 | ('T' - '@');
	e[10] = 0x01;			/* product code */
	e[17] = 2023 - 1990;		/* year of manufacture */
	e[18] = 1;			/* EDID 1.4 */
	e[19] = 4;
	e[20] = 0x80;			/* digital input */
	e[21] = xres * 254 / 9600;	/* cm */
	e[22] = yres * 254 / 9600;
	e[23] = 120;			/* gamma 2.2 */
	e[24] = 0x06;			/* sRGB, preferred mode is native */
	memcpy(e + 25, srgb, sizeof(srgb));
	memset(e + 38, 0x01, 16);	/* no standard timings */

	gvt_mdev_edid_timing(d, xres, yres);
	d += GVT_MDEV_EDID_DESC_SIZE;
	gvt_mdev_edid_text(d, 0xfc, "GVT-g vGPU");
	d += GVT_MDEV_EDID_DESC_SIZE;
	d[3] = 0xfd;			/* range limits: 50-75 Hz, 30-160 kHz, 240 MHz */
	d[5] = 50;
	d[6] = 75;
	d[7] = 30;
	d[8] = 160;
	d[9] = 24;
	d[10] = 0x01;
	d[11] = 0x0a;
	memset(d + 12, ' ', 6);
	d += GVT_MDEV_EDID_DESC_SIZE;
	d[3] = 0x10;			/* dummy */
	e[GVT_MDEV_EDID_BLOCK - 1] = -gvt_mdev_edid_sum(e);
}

void gvt_mdev_edid_init(struct gvt_mdev_vgpu *vgpu)
{
	struct gvt_mdev_edid *edid = &vgpu->edid;
	unsigned int xres, yres;

	if (sscanf(vgpu->type->conf->resolution, "%ux%u", &xres, &yres) != 2)
		xres = 1024, yres = 768;
	edid->regs.edid_offset = GVT_MDEV_EDID_BLOB_OFFSET;
	edid->regs.edid_max_size = GVT_MDEV_EDID_MAX_SIZE;
	edid->regs.edid_size = GVT_MDEV_EDID_BLOCK;
	edid->regs.max_xres = xres;
	edid->regs.max_yres = yres;
	edid->regs.link_state = VFIO_DEVICE_GFX_LINK_STATE_UP;
	gvt_mdev_edid_default(edid->blob, xres, yres);
}

/* Whole blocks, the header, the extension count and every block's checksum. */
static bool gvt_mdev_edid_valid(const u8 *blob, u32 size)
{
	u32 i;

	if (!size || size % GVT_MDEV_EDID_BLOCK)
		return false;
	if (memcmp(blob, gvt_mdev_edid_header, sizeof(gvt_mdev_edid_header)))
		return false;
	if (blob[GVT_MDEV_EDID_EXTENSIONS] != size / GVT_MDEV_EDID_BLOCK - 1)
		return false;
	for (i = 0; i < size; i += GVT_MDEV_EDID_BLOCK)
		if (gvt_mdev_edid_sum(blob + i))
			return false;
	return true;
}

static int gvt_mdev_edid_write_reg(struct gvt_mdev_vgpu *vgpu, u64 off, u32 val)
{
	struct gvt_mdev_edid *edid = &vgpu->edid;

	switch (off) {
	case offsetof(struct vfio_region_gfx_edid, edid_size):
		if (val > GVT_MDEV_EDID_MAX_SIZE)
			return -EINVAL;
		edid->regs.edid_size = val;
		return 0;
	case offsetof(struct vfio_region_gfx_edid, link_state):
		if (val == VFIO_DEVICE_GFX_LINK_STATE_UP) {
			if (!gvt_mdev_edid_valid(edid->blob, edid->regs.edid_size))
				return -EINVAL;
		} else if (val != VFIO_DEVICE_GFX_LINK_STATE_DOWN) {
			return -EINVAL;
		}
		edid->regs.link_state = val;
		return 0;
	}
	return -EPERM;
}

int gvt_mdev_edid_rw(struct gvt_mdev_vgpu *vgpu, u64 off, void *buf, size_t len, bool write)
{
	struct gvt_mdev_edid *edid = &vgpu->edid;
	u8 *blob;

	lockdep_assert_held(&vgpu->lock);

	if (off < sizeof(edid->regs)) {
		if (len != sizeof(u32) || !IS_ALIGNED(off, sizeof(u32)))
			return -EINVAL;
		if (write)
			return gvt_mdev_edid_write_reg(vgpu, off, *(u32 *)buf);
		memcpy(buf, (u8 *)&edid->regs + off, len);
		return 0;
	}
	if (off < GVT_MDEV_EDID_BLOB_OFFSET || off >= GVT_MDEV_EDID_REGION_SIZE ||
	    len > GVT_MDEV_EDID_REGION_SIZE - off)
		return -EINVAL;
	blob = edid->blob + off - GVT_MDEV_EDID_BLOB_OFFSET;
	if (write)
		memcpy(blob, buf, len);
	else
		memcpy(buf, blob, len);
	return 0;
}
