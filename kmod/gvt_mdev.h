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
	DECLARE_BITMAP(map, GVT_MDEV_POOL_MAX_UNITS);
};

/* A range a vGPU owns: [base, base + size) bytes, or fence numbers. */
struct gvt_mdev_range {
	u64 base;
	u64 size;
};

/* What a vGPU was given; the next stage writes it into its PVINFO page. */
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
};

/*
 * One vGPU.  The vfio_device is embedded (vfio_alloc_device allocates the
 * whole struct); the next stage adds the MMIO image and the emulation.
 */
struct gvt_mdev_vgpu {
	struct vfio_device vdev;
	struct gvt_mdev_parent *parent;
	const struct gvt_mdev_type *type;
	struct gvt_mdev_alloc alloc;
	/* Virtual config space, from the snapshot; read-only in this stage. */
	u8 cfg_space[GVT_BASE_CFG_SPACE_SIZE];
};

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

/* gvt_mdev_vgpu.c */
extern struct mdev_driver gvt_mdev_vgpu_driver;

#endif /* GVT_MDEV_H */
