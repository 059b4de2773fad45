/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gvt_base: declarations shared between gvt_base's own files.
 */
#ifndef GVT_BASE_INTERNAL_H
#define GVT_BASE_INTERNAL_H

#include <linux/build_bug.h>
#include <linux/device.h>
#include "gvt_base.h"

#define GVT_BASE_MAX_GPUS		8
#define GVT_BASE_VENDOR_INTEL		0x8086

/* What the model GPUs look like; set once from the module parameters. */
struct gvt_base_model {
	u16 vendor;
	u16 device;
	u8 revision;
	struct gvt_base_resources res;
};

extern struct gvt_base_model gvt_base_model;
extern char *gvt_base_golden_name;

/*
 * The kvmgt golden_hw_state file (gvt/firmware.c): a 48-byte little endian
 * header, then config space, then the MMIO image.  crc32 covers everything
 * after the crc32 field itself.
 */
struct gvt_base_golden_header {
	__le64 magic;
	__le32 crc32;
	__le32 version;
	__le64 cfg_space_size;
	__le64 cfg_space_offset;
	__le64 mmio_size;
	__le64 mmio_offset;
} __packed;
static_assert(sizeof(struct gvt_base_golden_header) == 48);

#define GVT_BASE_GOLDEN_MAGIC		0x4776544776544776ULL	/* "vGTvGTvG" */
#define GVT_BASE_GOLDEN_VERSION		0
#define GVT_BASE_GOLDEN_CFG_OFFSET	sizeof(struct gvt_base_golden_header)
#define GVT_BASE_GOLDEN_MMIO_OFFSET	(GVT_BASE_GOLDEN_CFG_OFFSET + GVT_BASE_CFG_SPACE_SIZE)
#define GVT_BASE_GOLDEN_SIZE		(GVT_BASE_GOLDEN_MMIO_OFFSET + GVT_BASE_MMIO_SIZE)
#define GVT_BASE_GOLDEN_CRC_START	(offsetof(struct gvt_base_golden_header, crc32) + 4)

struct gvt_base_gpu {
	/* Embedded so gvt_mdev can find the GPU; its release frees the GPU. */
	struct auxiliary_device auxdev;
	struct device *dev;		/* platform device or hosting PCI function */
	struct gvt_base_resources res;
	/* The snapshot in kvmgt's file format; never written after probe. */
	u8 *golden;
	struct gvt_base_snapshot snapshot;	/* views into golden */
	bool ready;			/* written once, with release semantics */
};

/* gvt_base_gpu.c: probe/remove shared by the platform and PCI drivers. */
extern const struct attribute_group *gvt_base_gpu_groups[];
int gvt_base_gpu_probe(struct device *dev, unsigned int index);
void gvt_base_gpu_remove(struct device *dev);

/* gvt_base_model.c */
void gvt_base_model_fill(const struct gvt_base_model *model, u8 *cfg, u8 *mmio);

/* gvt_base_snapshot.c */
void gvt_base_snapshot_seal(u8 *golden);
u32 gvt_base_snapshot_crc32(const u8 *golden, size_t size);

/* gvt_base_golden.c */
int gvt_base_golden_load(struct device *dev, const struct gvt_base_model *model,
			 u8 *golden);

/* gvt_base_pcihost.c */
int gvt_base_pcihost_init(char **hosts, unsigned int nr_hosts);
void gvt_base_pcihost_exit(void);

#endif /* GVT_BASE_INTERNAL_H */
