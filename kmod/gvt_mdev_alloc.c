// SPDX-License-Identifier: GPL-2.0-only
/*
 * gvt_mdev: resource accounting exactly as kvmgt's (gvt/aperture_gm.c,
 * gvt/vgpu.c), with real, non-overlapping ranges behind the numbers.
 *
 * Each GPU shares out its aperture (low GM: [0, aperture)), its hidden
 * graphics memory (high GM: [aperture, GGTT end)) and its fence registers,
 * each minus what the host keeps at the start.  A vGPU takes a first-fit
 * contiguous range of each, or nothing; a create that does not fit fails
 * with -ENOSPC and says which resource ran out.
 */
#include <linux/math64.h>
#include <linux/minmax.h>
#include "gvt_mdev.h"

/* kvmgt's host reservations (gvt/gvt.h). */
#define GVT_MDEV_HOST_LOW_GM		SZ_128M
#define GVT_MDEV_HOST_HIGH_GM		(3 * SZ_128M)
#define GVT_MDEV_HOST_FENCES		4

/* Every type's GM sizes and the host's are multiples of this. */
#define GVT_MDEV_GM_UNIT		SZ_64M

static void gvt_mdev_pool_init(struct gvt_mdev_pool *pool, struct mutex *lock,
			       const char *name, u64 base, u64 size, u64 unit,
			       u64 host)
{
	pool->lock = lock;
	pool->name = name;
	pool->shown_unit = unit == 1 ? "" : " MiB";
	pool->shown_scale = unit == 1 ? 1 : SZ_1M;
	pool->base = base;
	pool->unit = unit;
	/* gvt_base's GGTT is 4 GiB: this never clips, it only bounds the bitmap. */
	pool->nr_units = min_t(u64, div64_u64(size, unit), GVT_MDEV_POOL_MAX_UNITS);
	pool->host_units = div64_u64(host, unit);
	pool->used_units = 0;
	bitmap_zero(pool->map, GVT_MDEV_POOL_MAX_UNITS);
	bitmap_set(pool->map, 0, pool->host_units);
}

void gvt_mdev_alloc_init(struct gvt_mdev_parent *p, const struct gvt_base_resources *res)
{
	mutex_init(&p->lock);
	gvt_mdev_pool_init(&p->low_gm, &p->lock, "aperture (low GM)", 0, res->aperture_size,
			   GVT_MDEV_GM_UNIT, GVT_MDEV_HOST_LOW_GM);
	gvt_mdev_pool_init(&p->high_gm, &p->lock, "hidden (high GM)", res->aperture_size,
			   res->ggtt_size - res->aperture_size, GVT_MDEV_GM_UNIT,
			   GVT_MDEV_HOST_HIGH_GM);
	gvt_mdev_pool_init(&p->fences, &p->lock, "fences", 0, res->fences, 1,
			   GVT_MDEV_HOST_FENCES);
	bitmap_zero(p->ids, GVT_MDEV_MAX_VGPU);
	/* kvmgt keeps id 0 for its idle vGPU. */
	set_bit(0, p->ids);
}

/* Bytes (or fences) not held by the host or a vGPU.  Caller holds p->lock. */
u64 gvt_mdev_pool_free(const struct gvt_mdev_pool *pool)
{
	lockdep_assert_held(pool->lock);
	return (u64)(pool->nr_units - pool->host_units - pool->used_units) * pool->unit;
}

/* kvmgt's available_instances: the min over the three resources. */
unsigned int gvt_mdev_alloc_available(struct gvt_mdev_parent *p,
				      const struct gvt_mdev_type_conf *conf)
{
	u64 n;

	mutex_lock(&p->lock);
	n = min3(div64_u64(gvt_mdev_pool_free(&p->low_gm), conf->low_gm),
		 div64_u64(gvt_mdev_pool_free(&p->high_gm), conf->high_gm),
		 div64_u64(gvt_mdev_pool_free(&p->fences), conf->fences));
	mutex_unlock(&p->lock);
	return n;
}

/* Find room for size in pool; *start is the first unit.  Caller holds p->lock. */
static int gvt_mdev_pool_find(struct gvt_mdev_pool *pool, u64 size,
			      const char *type, struct device *who,
			      unsigned long *start)
{
	unsigned int units = div64_u64(size, pool->unit);
	u64 free = gvt_mdev_pool_free(pool);

	if (size > free) {
		dev_warn_ratelimited(who, "vGPU of type %s not created: %s exhausted: needs %llu%s, %llu%s free\n",
				     type, pool->name,
				     div64_u64(size, pool->shown_scale), pool->shown_unit,
				     div64_u64(free, pool->shown_scale), pool->shown_unit);
		return -ENOSPC;
	}
	*start = bitmap_find_next_zero_area(pool->map, pool->nr_units, 0, units, 0);
	if (*start >= pool->nr_units) {
		dev_warn_ratelimited(who, "vGPU of type %s not created: %s fragmented: %llu%s free, but not %llu%s in one piece\n",
				     type, pool->name,
				     div64_u64(free, pool->shown_scale), pool->shown_unit,
				     div64_u64(size, pool->shown_scale), pool->shown_unit);
		return -ENOSPC;
	}
	return 0;
}

static void gvt_mdev_pool_take(struct gvt_mdev_pool *pool, unsigned long start,
			       u64 size, struct gvt_mdev_range *range)
{
	unsigned int units = div64_u64(size, pool->unit);

	lockdep_assert_held(pool->lock);
	bitmap_set(pool->map, start, units);
	pool->used_units += units;
	range->base = pool->base + start * pool->unit;
	range->size = size;
}

static void gvt_mdev_pool_put(struct gvt_mdev_pool *pool, const struct gvt_mdev_range *range)
{
	unsigned int units = div64_u64(range->size, pool->unit);

	lockdep_assert_held(pool->lock);
	bitmap_clear(pool->map, div64_u64(range->base - pool->base, pool->unit), units);
	pool->used_units -= units;
}

/* All of a type's resources and an id, or -ENOSPC and nothing. */
int gvt_mdev_alloc_reserve(struct gvt_mdev_parent *p,
			   const struct gvt_mdev_type *type,
			   struct gvt_mdev_alloc *alloc, struct device *who)
{
	const struct gvt_mdev_type_conf *conf = type->conf;
	unsigned long low, high, fence, id;
	const char *name = kobject_name(&type->type.kobj);
	int ret;

	mutex_lock(&p->lock);
	ret = gvt_mdev_pool_find(&p->low_gm, conf->low_gm, name, who, &low);
	if (!ret)
		ret = gvt_mdev_pool_find(&p->high_gm, conf->high_gm, name, who, &high);
	if (!ret)
		ret = gvt_mdev_pool_find(&p->fences, conf->fences, name, who, &fence);
	if (ret)
		goto out;
	id = find_first_zero_bit(p->ids, GVT_MDEV_MAX_VGPU);
	if (id >= GVT_MDEV_MAX_VGPU) {
		dev_warn_ratelimited(who, "vGPU of type %s not created: vGPU ids exhausted: kvmgt allows %d vGPUs per GPU\n",
				     name, GVT_MDEV_MAX_VGPU - 1);
		ret = -ENOSPC;
		goto out;
	}

	gvt_mdev_pool_take(&p->low_gm, low, conf->low_gm, &alloc->low_gm);
	gvt_mdev_pool_take(&p->high_gm, high, conf->high_gm, &alloc->high_gm);
	gvt_mdev_pool_take(&p->fences, fence, conf->fences, &alloc->fences);
	set_bit(id, p->ids);
	alloc->id = id;
out:
	mutex_unlock(&p->lock);
	return ret;
}

void gvt_mdev_alloc_release(struct gvt_mdev_parent *p, const struct gvt_mdev_alloc *alloc)
{
	mutex_lock(&p->lock);
	gvt_mdev_pool_put(&p->low_gm, &alloc->low_gm);
	gvt_mdev_pool_put(&p->high_gm, &alloc->high_gm);
	gvt_mdev_pool_put(&p->fences, &alloc->fences);
	clear_bit(alloc->id, p->ids);
	mutex_unlock(&p->lock);
}
