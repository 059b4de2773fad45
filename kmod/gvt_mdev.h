/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gvt_mdev: declarations shared between gvt_mdev's own files.
 */
#ifndef GVT_MDEV_H
#define GVT_MDEV_H

#include <linux/bitmap.h>
#include <linux/idr.h>
#include <linux/mdev.h>
#include <linux/mutex.h>
#include <linux/vfio.h>
#include <linux/xarray.h>
#include "gvt_base.h"

/* kvmgt's GVT_MAX_VGPU: vGPU ids run from 1 to 7. */
#define GVT_MDEV_MAX_VGPU		8

/* kvmgt's vGPU type table row (gvt/vgpu.c). */
struct gvt_mdev_type_conf {
	const char *name;		/* sysfs name, e.g. "GVTg_V5_4" */
	u64 low_gm;			/* aperture bytes */
	u64 high_gm;			/* hidden bytes */
	unsigned int fences;
	unsigned int weight;
	const char *resolution;
};

#define GVT_MDEV_NR_TYPES		4

struct gvt_mdev_type {
	struct mdev_type type;
	const struct gvt_mdev_type_conf *conf;
};

/*
 * One resource shared out among vGPUs: a range of graphics memory in 64 MiB
 * units, or of fence registers.  The first host_units are the host's.
 */
#define GVT_MDEV_POOL_MAX_UNITS		64	/* 4 GiB of GGTT in 64 MiB units */

struct gvt_mdev_pool {
	const char *name;		/* for the -ENOSPC message */
	const char *shown_unit;		/* and how amounts show in it */
	u64 shown_scale;
	u64 base;			/* address (or fence number) of unit 0 */
	u64 unit;			/* bytes (or fences) per unit */
	unsigned int nr_units;
	unsigned int host_units;
	unsigned int used_units;	/* by vGPUs */
	struct mutex *lock;		/* the parent's: held for every use */
	DECLARE_BITMAP(map, GVT_MDEV_POOL_MAX_UNITS);
};

/* A range a vGPU owns: [base, base + size) bytes, or fence numbers. */
struct gvt_mdev_range {
	u64 base;
	u64 size;
};

/* What a vGPU was given; its PVINFO page tells the guest. */
struct gvt_mdev_alloc {
	struct gvt_mdev_range low_gm;	/* aperture */
	struct gvt_mdev_range high_gm;	/* hidden */
	struct gvt_mdev_range fences;
	unsigned int id;		/* vgpu_id */
};

/* One GPU's mdev parent. */
struct gvt_mdev_parent {
	struct mdev_parent parent;
	struct gvt_base_gpu *gpu;
	struct gvt_mdev_type types[GVT_MDEV_NR_TYPES];
	struct mdev_type *type_ptrs[GVT_MDEV_NR_TYPES];
	unsigned int nr_types;
	/* Protects low_gm, high_gm, fences and ids: one lock, so creates
	 * racing on a parent never over-allocate.
	 */
	struct mutex lock;
	struct gvt_mdev_pool low_gm;
	struct gvt_mdev_pool high_gm;
	struct gvt_mdev_pool fences;
	DECLARE_BITMAP(ids, GVT_MDEV_MAX_VGPU);
	struct list_head node;		/* in gvt_mdev_parents */
	struct list_head vgpus;
};

/* vfio-pci's region offsets (VFIO_PCI_OFFSET_SHIFT in vfio_pci_core.h). */
#define GVT_MDEV_REGION_SHIFT		40
#define GVT_MDEV_REGION_OFFSET_MASK	((1ULL << GVT_MDEV_REGION_SHIFT) - 1)

/* Device-specific regions follow vfio-pci's. */
#define GVT_MDEV_EDID_REGION_INDEX	VFIO_PCI_NUM_REGIONS
#define GVT_MDEV_OPREGION_REGION_INDEX	(VFIO_PCI_NUM_REGIONS + 1)
#define GVT_MDEV_NUM_REGIONS		(VFIO_PCI_NUM_REGIONS + 2)

/* The OpRegion region: kvmgt's virtual OpRegion, two pages. */
#define GVT_MDEV_OPREGION_SIZE		SZ_8K

/* BAR0 (GTTMMIO) on Gen9: registers, then from 8 MiB the GGTT's entries. */
#define GVT_MDEV_GTT_OFFSET		SZ_8M
#define GVT_MDEV_GTT_ENTRY_SIZE		8
#define GVT_MDEV_PVINFO_OFFSET		0x78000
#define GVT_MDEV_PVINFO_SIZE		0x1000

/* The EDID region: vfio_region_gfx_edid, then the blob (as mbochs). */
#define GVT_MDEV_EDID_BLOB_OFFSET	0x800
#define GVT_MDEV_EDID_MAX_SIZE		0x400
#define GVT_MDEV_EDID_REGION_SIZE	(GVT_MDEV_EDID_BLOB_OFFSET + GVT_MDEV_EDID_MAX_SIZE)

/*
 * Memory given a page at a time, on first write or fault: a vGPU's aperture
 * slice (up to 512 MiB) and GTT (8 MiB) cost only what the guest touches.
 * The xarray has its own lock; the pages' contents are the user's business.
 */
struct gvt_mdev_store {
	struct xarray pages;
	u64 size;
};

struct gvt_mdev_edid {
	struct vfio_region_gfx_edid regs;
	u8 blob[GVT_MDEV_EDID_MAX_SIZE];
};

struct gvt_mdev_irqs {
	struct eventfd_ctx *trigger[VFIO_PCI_NUM_IRQS];
	bool intx_masked;
};

/*
 * A framebuffer as VFIO_DEVICE_QUERY_GFX_PLANE reports it
 * (gvt_mdev_display.c); start is a graphics address in the vGPU's aperture.
 */
struct gvt_mdev_fb {
	u64 start;
	u64 drm_format_mod;
	u32 drm_format;
	u32 width, height, stride, size;
	u32 x_pos, y_pos, x_hot, y_hot;
};

/* The framebuffers given a dma-buf id, most recent first (gvt_mdev_dmabuf.c). */
struct gvt_mdev_dmabufs {
	struct list_head fbs;
	unsigned int nr;
	u32 next_id;
};

/* Successful read()/write() calls on the device fd, per region. */
struct gvt_mdev_counters {
	u64 cfg_reads;
	u64 cfg_writes;
	u64 mmio_reads;
	u64 mmio_writes;
	u64 resets;
	u64 opens;
};

/*
 * One vGPU.  The vfio_device is embedded (vfio_alloc_device allocates the
 * whole struct).  parent, type, alloc and the stores' sizes are set in init
 * and never change.
 */
struct gvt_mdev_vgpu {
	struct vfio_device vdev;
	struct gvt_mdev_parent *parent;
	const struct gvt_mdev_type *type;
	struct gvt_mdev_alloc alloc;
	struct list_head node;		/* in parent->vgpus, under gvt_mdev_registry_lock */
	struct gvt_mdev_store aperture;	/* this vGPU's slice of BAR2 */
	/* Serialises the emulation: protects everything below. */
	struct mutex lock;
	u8 cfg_space[GVT_BASE_CFG_SPACE_SIZE];
	u8 *mmio;			/* GVT_BASE_MMIO_SIZE, from the snapshot */
	struct gvt_mdev_store gtt;
	struct gvt_mdev_edid edid;
	struct gvt_mdev_irqs irqs;
	struct gvt_mdev_counters counters;
	struct gvt_mdev_dmabufs dmabufs;
	pid_t opener;			/* tgid, 0 when closed */
	u64 opened_at;			/* ktime_get_boottime_ns() of the open, 0 when closed */
};

/* All parents; each parent's vgpus list.  Taken before p->lock and vgpu->lock. */
extern struct mutex gvt_mdev_registry_lock;
extern struct list_head gvt_mdev_parents;

static inline struct gvt_mdev_parent *gvt_mdev_type_parent(struct mdev_type *mtype)
{
	return container_of(mtype->parent, struct gvt_mdev_parent, parent);
}

static inline struct gvt_mdev_type *gvt_mdev_type(struct mdev_type *mtype)
{
	return container_of(mtype, struct gvt_mdev_type, type);
}

/* gvt_mdev_types.c */
void gvt_mdev_types_init(struct gvt_mdev_parent *p);
unsigned int gvt_mdev_types_available(struct mdev_type *mtype);
ssize_t gvt_mdev_types_description(struct mdev_type *mtype, char *buf);

/* gvt_mdev_alloc.c */
void gvt_mdev_alloc_init(struct gvt_mdev_parent *p, const struct gvt_base_resources *res);
u64 gvt_mdev_pool_free(const struct gvt_mdev_pool *pool);
unsigned int gvt_mdev_alloc_available(struct gvt_mdev_parent *p,
				      const struct gvt_mdev_type_conf *conf);
int gvt_mdev_alloc_reserve(struct gvt_mdev_parent *p,
			   const struct gvt_mdev_type *type,
			   struct gvt_mdev_alloc *alloc, struct device *who);
void gvt_mdev_alloc_release(struct gvt_mdev_parent *p, const struct gvt_mdev_alloc *alloc);

/* gvt_mdev_store.c */
void gvt_mdev_store_init(struct gvt_mdev_store *s, u64 size);
struct page *gvt_mdev_store_page(struct gvt_mdev_store *s, pgoff_t index);
int gvt_mdev_store_rw(struct gvt_mdev_store *s, u64 off, void *buf, size_t len, bool write);
void gvt_mdev_store_clear(struct gvt_mdev_store *s);

/*
 * The regions' emulation.  Each *_rw is called with vgpu->lock held, with
 * a kernel buffer, and returns 0 or a negative errno.
 */
/* gvt_mdev_cfg.c */
void gvt_mdev_cfg_reset(struct gvt_mdev_vgpu *vgpu);
int gvt_mdev_cfg_rw(struct gvt_mdev_vgpu *vgpu, u64 off, void *buf, size_t len, bool write);

/* gvt_mdev_mmio.c */
int gvt_mdev_mmio_init(struct gvt_mdev_vgpu *vgpu);
void gvt_mdev_mmio_fini(struct gvt_mdev_vgpu *vgpu);
void gvt_mdev_mmio_reset(struct gvt_mdev_vgpu *vgpu);
int gvt_mdev_mmio_rw(struct gvt_mdev_vgpu *vgpu, u64 off, void *buf, size_t len, bool write);

/* gvt_mdev_aperture.c */
int gvt_mdev_aperture_rw(struct gvt_mdev_vgpu *vgpu, u64 off, void *buf, size_t len, bool write);
int gvt_mdev_aperture_mmap(struct gvt_mdev_vgpu *vgpu, struct vm_area_struct *vma);
int gvt_mdev_aperture_caps(struct gvt_mdev_vgpu *vgpu, struct vfio_info_cap *caps);

/* gvt_mdev_edid.c */
void gvt_mdev_edid_init(struct gvt_mdev_vgpu *vgpu);
int gvt_mdev_edid_rw(struct gvt_mdev_vgpu *vgpu, u64 off, void *buf, size_t len, bool write);

/* gvt_mdev_opregion.c */
int gvt_mdev_opregion_rw(struct gvt_mdev_vgpu *vgpu, u64 off, void *buf, size_t len, bool write);

/* gvt_mdev_irq.c */
int gvt_mdev_irq_count(unsigned int index);
void gvt_mdev_irq_info(struct vfio_irq_info *info);
int gvt_mdev_irq_set(struct gvt_mdev_vgpu *vgpu, const struct vfio_irq_set *hdr, void *data);
void gvt_mdev_irq_raise(struct gvt_mdev_vgpu *vgpu);
void gvt_mdev_irq_request(struct gvt_mdev_vgpu *vgpu, unsigned int count);
void gvt_mdev_irq_release(struct gvt_mdev_vgpu *vgpu);

/* gvt_mdev_display.c */
long gvt_mdev_display_query(struct gvt_mdev_vgpu *vgpu, void __user *arg);

/* gvt_mdev_dmabuf.c */
void gvt_mdev_dmabuf_init(struct gvt_mdev_vgpu *vgpu);
int gvt_mdev_dmabuf_id(struct gvt_mdev_vgpu *vgpu, const struct gvt_mdev_fb *fb);
void gvt_mdev_dmabuf_forget(struct gvt_mdev_vgpu *vgpu);
long gvt_mdev_dmabuf_get(struct gvt_mdev_vgpu *vgpu, void __user *arg);

/* gvt_mdev_ioctl.c */
long gvt_mdev_ioctl(struct vfio_device *vdev, unsigned int cmd, unsigned long arg);

/* gvt_mdev_vgpu.c */
extern struct mdev_driver gvt_mdev_vgpu_driver;
struct gvt_mdev_vgpu *gvt_mdev_vgpu_of(struct vfio_device *vdev);
void gvt_mdev_vgpu_reset(struct gvt_mdev_vgpu *vgpu);

/* gvt_mdev_genl.c */
int gvt_mdev_genl_init(void);
void gvt_mdev_genl_exit(void);
void gvt_mdev_genl_event(struct gvt_mdev_vgpu *vgpu, u8 cmd);
void gvt_mdev_genl_event_opener(struct gvt_mdev_vgpu *vgpu, u8 cmd, pid_t opener, u64 opened_at);

#endif /* GVT_MDEV_H */
