// SPDX-License-Identifier: GPL-2.0-only
/*
 * gvt_mdev: the VFIO device ioctls of a vGPU.  Each copies in the fixed
 * part (minsz), checks argsz, acts, and copies out; capabilities follow the
 * fixed part when argsz leaves room, else argsz says how much is needed.
 * Unknown ioctls are -ENOTTY.
 */
#include <linux/pci_ids.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "gvt_mdev.h"

static long gvt_mdev_ioctl_get_info(void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	info.flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
	info.num_regions = GVT_MDEV_NUM_REGIONS;
	info.num_irqs = VFIO_PCI_NUM_IRQS;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

/* A device-specific region says what it is with a type capability. */
static int gvt_mdev_ioctl_region_type(struct vfio_info_cap *caps, u32 type, u32 subtype)
{
	struct vfio_region_info_cap_type cap = {
		.header.id = VFIO_REGION_INFO_CAP_TYPE,
		.header.version = 1,
		.type = type,
		.subtype = subtype,
	};

	return vfio_info_add_capability(caps, &cap.header, sizeof(cap));
}

#define GVT_MDEV_REGION_RW	(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE)

/* Size, flags and capabilities of one region; unlisted ones are empty. */
static int gvt_mdev_ioctl_region(struct gvt_mdev_vgpu *vgpu, struct vfio_region_info *info,
				 struct vfio_info_cap *caps)
{
	const struct gvt_base_resources *res = gvt_base_gpu_resources(vgpu->parent->gpu);

	info->offset = (u64)info->index << GVT_MDEV_REGION_SHIFT;
	info->size = 0;
	info->flags = 0;
	switch (info->index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		info->size = GVT_BASE_CFG_SPACE_SIZE;
		info->flags = GVT_MDEV_REGION_RW;
		return 0;
	case VFIO_PCI_BAR0_REGION_INDEX:
		info->size = res->gttmmio_size;
		info->flags = GVT_MDEV_REGION_RW;
		return 0;
	case VFIO_PCI_BAR2_REGION_INDEX:
		info->size = res->aperture_size;
		info->flags = GVT_MDEV_REGION_RW | VFIO_REGION_INFO_FLAG_MMAP;
		return gvt_mdev_aperture_caps(vgpu, caps);
	case GVT_MDEV_EDID_REGION_INDEX:
		info->size = GVT_MDEV_EDID_REGION_SIZE;
		info->flags = GVT_MDEV_REGION_RW;
		return gvt_mdev_ioctl_region_type(caps, VFIO_REGION_TYPE_GFX,
						  VFIO_REGION_SUBTYPE_GFX_EDID);
	case GVT_MDEV_OPREGION_REGION_INDEX:
		info->size = GVT_MDEV_OPREGION_SIZE;
		info->flags = VFIO_REGION_INFO_FLAG_READ;
		return gvt_mdev_ioctl_region_type(caps,
						  VFIO_REGION_TYPE_PCI_VENDOR_TYPE | PCI_VENDOR_ID_INTEL,
						  VFIO_REGION_SUBTYPE_INTEL_IGD_OPREGION);
	}
	return 0;
}

static long gvt_mdev_ioctl_get_region_info(struct gvt_mdev_vgpu *vgpu, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_info_cap caps = { .buf = NULL, .size = 0 };
	struct vfio_region_info info;
	int ret;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= GVT_MDEV_NUM_REGIONS)
		return -EINVAL;
	ret = gvt_mdev_ioctl_region(vgpu, &info, &caps);
	if (ret)
		goto out;

	info.cap_offset = 0;
	if (caps.size) {
		info.flags |= VFIO_REGION_INFO_FLAG_CAPS;
		if (info.argsz < sizeof(info) + caps.size) {
			info.argsz = sizeof(info) + caps.size;
		} else {
			vfio_info_cap_shift(&caps, sizeof(info));
			if (copy_to_user(arg + sizeof(info), caps.buf, caps.size)) {
				ret = -EFAULT;
				goto out;
			}
			info.cap_offset = sizeof(info);
		}
	}
	if (copy_to_user(arg, &info, minsz))
		ret = -EFAULT;
out:
	kfree(caps.buf);
	return ret;
}

static long gvt_mdev_ioctl_get_irq_info(void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_info, count);
	struct vfio_irq_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= VFIO_PCI_NUM_IRQS)
		return -EINVAL;
	gvt_mdev_irq_info(&info);
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static long gvt_mdev_ioctl_set_irqs(struct gvt_mdev_vgpu *vgpu, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_set, count);
	struct vfio_irq_set hdr;
	size_t data_size = 0;
	u8 *data = NULL;
	int ret;

	if (copy_from_user(&hdr, arg, minsz))
		return -EFAULT;
	ret = vfio_set_irqs_validate_and_prepare(&hdr, gvt_mdev_irq_count(hdr.index),
						 VFIO_PCI_NUM_IRQS, &data_size);
	if (ret)
		return ret;
	if (data_size) {
		data = memdup_user(arg + minsz, data_size);
		if (IS_ERR(data))
			return PTR_ERR(data);
	}
	mutex_lock(&vgpu->lock);
	ret = gvt_mdev_irq_set(vgpu, &hdr, data);
	mutex_unlock(&vgpu->lock);
	kfree(data);
	return ret;
}

long gvt_mdev_ioctl(struct vfio_device *vdev, unsigned int cmd, unsigned long arg)
{
	struct gvt_mdev_vgpu *vgpu = gvt_mdev_vgpu_of(vdev);
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VFIO_DEVICE_GET_INFO:
		return gvt_mdev_ioctl_get_info(uarg);
	case VFIO_DEVICE_GET_REGION_INFO:
		return gvt_mdev_ioctl_get_region_info(vgpu, uarg);
	case VFIO_DEVICE_GET_IRQ_INFO:
		return gvt_mdev_ioctl_get_irq_info(uarg);
	case VFIO_DEVICE_SET_IRQS:
		return gvt_mdev_ioctl_set_irqs(vgpu, uarg);
	case VFIO_DEVICE_RESET:
		gvt_mdev_vgpu_reset(vgpu);
		return 0;
	case VFIO_DEVICE_QUERY_GFX_PLANE:
		return gvt_mdev_display_query(vgpu, uarg);
	case VFIO_DEVICE_GET_GFX_DMABUF:
		return gvt_mdev_dmabuf_get(vgpu, uarg);
	}
	return -ENOTTY;
}
