// SPDX-License-Identifier: GPL-2.0-only
/*
 * gvt_mdev: kvmgt's four Gen9 vGPU types (gvt/vgpu.c), registered in table
 * order, stopping at the first whose aperture share does not fit at all.
 */
#include <linux/math64.h>
#include <linux/sysfs.h>
#include "gvt_mdev.h"

static const struct gvt_mdev_type_conf gvt_mdev_type_confs[GVT_MDEV_NR_TYPES] = {
	{ "GVTg_V5_8", SZ_64M, (3 * SZ_128M), 4, 2, "1024x768" },
	{ "GVTg_V5_4", SZ_128M, SZ_512M, 4, 4, "1920x1200" },
	{ "GVTg_V5_2", SZ_256M, SZ_1G, 4, 8, "1920x1200" },
	{ "GVTg_V5_1", SZ_512M, SZ_2G, 4, 16, "1920x1200" },
};

/* Fill p's types; call after gvt_mdev_alloc_init, before any vGPU exists. */
void gvt_mdev_types_init(struct gvt_mdev_parent *p)
{
	const struct gvt_mdev_type_conf *conf;
	unsigned int i;
	u64 low_avail;

	mutex_lock(&p->lock);
	low_avail = gvt_mdev_pool_free(&p->low_gm);
	mutex_unlock(&p->lock);

	for (i = 0; i < GVT_MDEV_NR_TYPES; i++) {
		conf = &gvt_mdev_type_confs[i];
		if (!div64_u64(low_avail, conf->low_gm))
			break;
		/* kvmgt sets no pretty_name: "name" shows the sysfs name. */
		p->types[i].type.sysfs_name = conf->name;
		p->types[i].conf = conf;
		p->type_ptrs[i] = &p->types[i].type;
	}
	p->nr_types = i;
}

unsigned int gvt_mdev_types_available(struct mdev_type *mtype)
{
	return gvt_mdev_alloc_available(gvt_mdev_type_parent(mtype),
					gvt_mdev_type(mtype)->conf);
}

ssize_t gvt_mdev_types_description(struct mdev_type *mtype, char *buf)
{
	const struct gvt_mdev_type_conf *conf = gvt_mdev_type(mtype)->conf;

	return sysfs_emit(buf, "low_gm_size: %lluMB\nhigh_gm_size: %lluMB\n"
			  "fence: %u\nresolution: %s\nweight: %u\n",
			  conf->low_gm >> 20, conf->high_gm >> 20, conf->fences,
			  conf->resolution, conf->weight);
}
