// SPDX-License-Identifier: GPL-2.0-only
/*
 * gvt_mdev: BAR2, the aperture.  The region is as large as the host's
 * aperture, so guest graphics addresses equal region offsets, but only the
 * vGPU's own slice [low_gm.base, + low_gm.size) is there: it can be read,
 * written and mmap'd (advertised with the sparse-mmap capability); every
 * other offset is -EINVAL, as in kvmgt.  The slice is a gvt_mdev_store, so
 * its pages come on first touch and go when the vGPU is released.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include "gvt_mdev.h"

static bool gvt_mdev_aperture_in_slice(const struct gvt_mdev_vgpu *vgpu, u64 off, u64 len)
{
	const struct gvt_mdev_range *r = &vgpu->alloc.low_gm;

	return off >= r->base && len <= r->size && off - r->base <= r->size - len;
}

int gvt_mdev_aperture_rw(struct gvt_mdev_vgpu *vgpu, u64 off, void *buf, size_t len, bool write)
{
	lockdep_assert_held(&vgpu->lock);

	if (!gvt_mdev_aperture_in_slice(vgpu, off, len))
		return -EINVAL;
	return gvt_mdev_store_rw(&vgpu->aperture, off - vgpu->alloc.low_gm.base, buf, len, write);
}

static vm_fault_t gvt_mdev_aperture_fault(struct vm_fault *vmf)
{
	struct gvt_mdev_vgpu *vgpu = vmf->vma->vm_private_data;
	u64 off = ((u64)vmf->pgoff << PAGE_SHIFT) & GVT_MDEV_REGION_OFFSET_MASK;
	struct page *page;

	page = gvt_mdev_store_page(&vgpu->aperture,
				   (off - vgpu->alloc.low_gm.base) >> PAGE_SHIFT);
	if (!page)
		return VM_FAULT_OOM;
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct gvt_mdev_aperture_vm_ops = {
	.fault = gvt_mdev_aperture_fault,
};

/*
 * The mapping holds the device file, so the vGPU (and its pages) outlives
 * it; each mapped page holds its own reference besides.
 */
int gvt_mdev_aperture_mmap(struct gvt_mdev_vgpu *vgpu, struct vm_area_struct *vma)
{
	u64 off = ((u64)vma->vm_pgoff << PAGE_SHIFT) & GVT_MDEV_REGION_OFFSET_MASK;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (!gvt_mdev_aperture_in_slice(vgpu, off, vma->vm_end - vma->vm_start))
		return -EINVAL;
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
	vma->vm_ops = &gvt_mdev_aperture_vm_ops;
	vma->vm_private_data = vgpu;
	return 0;
}

/* One mmap-able area: the slice. */
int gvt_mdev_aperture_caps(struct gvt_mdev_vgpu *vgpu, struct vfio_info_cap *caps)
{
	struct vfio_region_info_cap_sparse_mmap *sparse;
	size_t size = struct_size(sparse, areas, 1);
	int ret;

	sparse = kzalloc(size, GFP_KERNEL);
	if (!sparse)
		return -ENOMEM;
	sparse->header.id = VFIO_REGION_INFO_CAP_SPARSE_MMAP;
	sparse->header.version = 1;
	sparse->nr_areas = 1;
	sparse->areas[0].offset = vgpu->alloc.low_gm.base;
	sparse->areas[0].size = vgpu->alloc.low_gm.size;
	ret = vfio_info_add_capability(caps, &sparse->header, size);
	kfree(sparse);
	return ret;
}
