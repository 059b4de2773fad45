// SPDX-License-Identifier: GPL-2.0-only
/*
 * gvt_mdev: the vGPU, a vfio-pci mediated device on an emulated IOMMU.
 *
 * A vGPU's resources are taken in the vfio_device's init and returned in
 * its release, so they live exactly as long as the device can be used.
 * This stage answers config space reads from the snapshot; BAR emulation,
 * PVINFO and interrupts come with the full vfio-pci emulation.
 */
#include <linux/uaccess.h>
#include "gvt_mdev.h"

/* vfio-pci's region offsets (VFIO_PCI_OFFSET_SHIFT in vfio_pci_core.h). */
#define GVT_MDEV_REGION_SHIFT		40
#define GVT_MDEV_REGION_OFFSET_MASK	((1ULL << GVT_MDEV_REGION_SHIFT) - 1)

static struct gvt_mdev_vgpu *gvt_mdev_vgpu_of(struct vfio_device *vdev)
{
	return container_of(vdev, struct gvt_mdev_vgpu, vdev);
}

static int gvt_mdev_vgpu_init(struct vfio_device *vdev)
{
	struct gvt_mdev_vgpu *vgpu = gvt_mdev_vgpu_of(vdev);
	struct mdev_device *mdev = to_mdev_device(vdev->dev);
	struct gvt_mdev_parent *p = gvt_mdev_type_parent(mdev->type);
	int ret;

	vgpu->parent = p;
	vgpu->type = gvt_mdev_type(mdev->type);
	ret = gvt_mdev_alloc_reserve(p, vgpu->type, &vgpu->alloc, vdev->dev);
	if (ret)
		return ret;
	memcpy(vgpu->cfg_space, gvt_base_gpu_snapshot(p->gpu)->cfg_space,
	       GVT_BASE_CFG_SPACE_SIZE);
	return 0;
}

/* Mandatory on 6.1: the core's last put lands here and nowhere else. */
static void gvt_mdev_vgpu_release(struct vfio_device *vdev)
{
	struct gvt_mdev_vgpu *vgpu = gvt_mdev_vgpu_of(vdev);

	gvt_mdev_alloc_release(vgpu->parent, &vgpu->alloc);
	vfio_free_device(vdev);
}

static ssize_t gvt_mdev_vgpu_read(struct vfio_device *vdev, char __user *buf,
				  size_t count, loff_t *ppos)
{
	struct gvt_mdev_vgpu *vgpu = gvt_mdev_vgpu_of(vdev);
	unsigned int index = *ppos >> GVT_MDEV_REGION_SHIFT;
	u64 off = *ppos & GVT_MDEV_REGION_OFFSET_MASK;

	if (index != VFIO_PCI_CONFIG_REGION_INDEX || off >= GVT_BASE_CFG_SPACE_SIZE)
		return -EINVAL;
	count = min_t(size_t, count, GVT_BASE_CFG_SPACE_SIZE - off);
	if (copy_to_user(buf, vgpu->cfg_space + off, count))
		return -EFAULT;
	*ppos += count;
	return count;
}

static long gvt_mdev_vgpu_get_info(void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	info.flags = VFIO_DEVICE_FLAGS_PCI;
	info.num_regions = VFIO_PCI_NUM_REGIONS;
	info.num_irqs = VFIO_PCI_NUM_IRQS;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

/* Only config space is backed yet; the other regions show as empty. */
static long gvt_mdev_vgpu_get_region_info(void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_region_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= VFIO_PCI_NUM_REGIONS)
		return -EINVAL;
	info.offset = (u64)info.index << GVT_MDEV_REGION_SHIFT;
	if (info.index == VFIO_PCI_CONFIG_REGION_INDEX) {
		info.size = GVT_BASE_CFG_SPACE_SIZE;
		info.flags = VFIO_REGION_INFO_FLAG_READ;
	} else {
		info.size = 0;
		info.flags = 0;
	}
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static long gvt_mdev_vgpu_ioctl(struct vfio_device *vdev, unsigned int cmd,
				unsigned long arg)
{
	switch (cmd) {
	case VFIO_DEVICE_GET_INFO:
		return gvt_mdev_vgpu_get_info((void __user *)arg);
	case VFIO_DEVICE_GET_REGION_INFO:
		return gvt_mdev_vgpu_get_region_info((void __user *)arg);
	}
	return -ENOTTY;
}

static const struct vfio_device_ops gvt_mdev_vgpu_ops = {
	.name = "gvt-mdev-vgpu",
	.init = gvt_mdev_vgpu_init,
	.release = gvt_mdev_vgpu_release,
	.read = gvt_mdev_vgpu_read,
	.ioctl = gvt_mdev_vgpu_ioctl,
};

static int gvt_mdev_vgpu_probe(struct mdev_device *mdev)
{
	struct gvt_mdev_vgpu *vgpu;
	int ret;

	vgpu = vfio_alloc_device(gvt_mdev_vgpu, vdev, &mdev->dev, &gvt_mdev_vgpu_ops);
	if (IS_ERR(vgpu))
		return PTR_ERR(vgpu);
	ret = vfio_register_emulated_iommu_dev(&vgpu->vdev);
	if (ret) {
		vfio_put_device(&vgpu->vdev);
		return ret;
	}
	dev_set_drvdata(&mdev->dev, vgpu);
	return 0;
}

static void gvt_mdev_vgpu_remove(struct mdev_device *mdev)
{
	struct gvt_mdev_vgpu *vgpu = dev_get_drvdata(&mdev->dev);

	/* Waits for userspace to close the device. */
	vfio_unregister_group_dev(&vgpu->vdev);
	vfio_put_device(&vgpu->vdev);
}

static ssize_t vgpu_id_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct gvt_mdev_vgpu *vgpu = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", vgpu->alloc.id);
}
static DEVICE_ATTR_RO(vgpu_id);

static struct attribute *gvt_mdev_vgpu_attrs[] = {
	&dev_attr_vgpu_id.attr,
	NULL,
};

/* kvmgt's group name, so tools written for it find vgpu_id. */
static const struct attribute_group gvt_mdev_vgpu_group = {
	.name = "intel_vgpu",
	.attrs = gvt_mdev_vgpu_attrs,
};

static const struct attribute_group *gvt_mdev_vgpu_groups[] = {
	&gvt_mdev_vgpu_group,
	NULL,
};

struct mdev_driver gvt_mdev_vgpu_driver = {
	.device_api = VFIO_DEVICE_API_PCI_STRING,
	.driver = {
		.name = KBUILD_MODNAME,
		.owner = THIS_MODULE,
		.mod_name = KBUILD_MODNAME,
		.dev_groups = gvt_mdev_vgpu_groups,
	},
	.probe = gvt_mdev_vgpu_probe,
	.remove = gvt_mdev_vgpu_remove,
	.get_available = gvt_mdev_types_available,
	.show_description = gvt_mdev_types_description,
};
