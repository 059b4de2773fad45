// SPDX-License-Identifier: GPL-2.0-only
/*
 * gvt_mdev: the vGPU, a vfio-pci mediated device on an emulated IOMMU.
 *
 * A vGPU's resources are taken in the vfio_device's init and returned in
 * its release, so they live exactly as long as the device can be used.
 * read() and write() on the device fd go to the region's emulation under
 * vgpu->lock, in pieces of at most GVT_MDEV_ACCESS_CHUNK bytes; each call
 * is one access in the counters.
 */
#include <linux/sched.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include "gvt_mdev.h"
#include "gvt_genl.h"

#define GVT_MDEV_ACCESS_CHUNK		64

struct gvt_mdev_vgpu *gvt_mdev_vgpu_of(struct vfio_device *vdev)
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
	INIT_LIST_HEAD(&vgpu->node);
	mutex_init(&vgpu->lock);
	ret = gvt_mdev_alloc_reserve(p, vgpu->type, &vgpu->alloc, vdev->dev);
	if (ret)
		goto err_lock;
	ret = gvt_mdev_mmio_init(vgpu);
	if (ret)
		goto err_alloc;
	gvt_mdev_store_init(&vgpu->aperture, vgpu->alloc.low_gm.size);
	gvt_mdev_cfg_reset(vgpu);
	gvt_mdev_mmio_reset(vgpu);
	gvt_mdev_edid_init(vgpu);
	gvt_mdev_dmabuf_init(vgpu);
	return 0;

err_alloc:
	gvt_mdev_alloc_release(p, &vgpu->alloc);
err_lock:
	mutex_destroy(&vgpu->lock);
	return ret;
}

/* Mandatory on 6.1: the core's last put lands here and nowhere else. */
static void gvt_mdev_vgpu_release(struct vfio_device *vdev)
{
	struct gvt_mdev_vgpu *vgpu = gvt_mdev_vgpu_of(vdev);

	gvt_mdev_store_clear(&vgpu->aperture);
	gvt_mdev_mmio_fini(vgpu);
	gvt_mdev_alloc_release(vgpu->parent, &vgpu->alloc);
	mutex_destroy(&vgpu->lock);
	vfio_free_device(vdev);
}

/* VFIO_DEVICE_RESET: config space and MMIO as at creation, PVINFO refilled. */
void gvt_mdev_vgpu_reset(struct gvt_mdev_vgpu *vgpu)
{
	mutex_lock(&vgpu->lock);
	gvt_mdev_cfg_reset(vgpu);
	gvt_mdev_mmio_reset(vgpu);
	vgpu->irqs.intx_masked = false;
	vgpu->counters.resets++;
	mutex_unlock(&vgpu->lock);
	gvt_mdev_genl_event(vgpu, GVT_GENL_CMD_VGPU_RESET);
}

/* The vfio core calls this on the first open of the device, close on the last. */
static int gvt_mdev_vgpu_open(struct vfio_device *vdev)
{
	struct gvt_mdev_vgpu *vgpu = gvt_mdev_vgpu_of(vdev);
	pid_t opener = task_tgid_nr(current);
	u64 opened_at;

	mutex_lock(&vgpu->lock);
	vgpu->counters.opens++;
	vgpu->opener = opener;
	vgpu->opened_at = ktime_get_boottime_ns();
	opened_at = vgpu->opened_at;
	mutex_unlock(&vgpu->lock);
	gvt_mdev_genl_event_opener(vgpu, GVT_GENL_CMD_VGPU_OPENED, opener, opened_at);
	return 0;
}

static void gvt_mdev_vgpu_close(struct vfio_device *vdev)
{
	struct gvt_mdev_vgpu *vgpu = gvt_mdev_vgpu_of(vdev);
	pid_t opener;

	mutex_lock(&vgpu->lock);
	gvt_mdev_irq_release(vgpu);
	gvt_mdev_dmabuf_forget(vgpu);
	opener = vgpu->opener;
	vgpu->opener = 0;
	vgpu->opened_at = 0;
	mutex_unlock(&vgpu->lock);
	/*
	 * Closed first, told after (naming the opener): a listener that joins
	 * and then dumps never sees an opener whose CLOSED it missed.
	 */
	gvt_mdev_genl_event_opener(vgpu, GVT_GENL_CMD_VGPU_CLOSED, opener, 0);
}

typedef int (*gvt_mdev_region_rw_t)(struct gvt_mdev_vgpu *vgpu, u64 off, void *buf,
				    size_t len, bool write);

static gvt_mdev_region_rw_t gvt_mdev_vgpu_region_rw(unsigned int index)
{
	switch (index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		return gvt_mdev_cfg_rw;
	case VFIO_PCI_BAR0_REGION_INDEX:
		return gvt_mdev_mmio_rw;
	case VFIO_PCI_BAR2_REGION_INDEX:
		return gvt_mdev_aperture_rw;
	case GVT_MDEV_EDID_REGION_INDEX:
		return gvt_mdev_edid_rw;
	case GVT_MDEV_OPREGION_REGION_INDEX:
		return gvt_mdev_opregion_rw;
	}
	return NULL;
}

static void gvt_mdev_vgpu_count(struct gvt_mdev_vgpu *vgpu, unsigned int index, bool write)
{
	struct gvt_mdev_counters *c = &vgpu->counters;

	if (index == VFIO_PCI_CONFIG_REGION_INDEX)
		write ? c->cfg_writes++ : c->cfg_reads++;
	else if (index == VFIO_PCI_BAR0_REGION_INDEX)
		write ? c->mmio_writes++ : c->mmio_reads++;
}

/*
 * One read() or write(): pieces of at most GVT_MDEV_ACCESS_CHUNK bytes, so
 * a BAR0 access (8 bytes at most) reaches the emulation whole.  A piece
 * that fails ends the call: its error if nothing was done yet, else the
 * bytes done so far.
 */
static ssize_t gvt_mdev_vgpu_access(struct gvt_mdev_vgpu *vgpu, char __user *ubuf,
				    size_t count, loff_t *ppos, bool write)
{
	unsigned int index = *ppos >> GVT_MDEV_REGION_SHIFT;
	u64 off = *ppos & GVT_MDEV_REGION_OFFSET_MASK;
	gvt_mdev_region_rw_t rw = gvt_mdev_vgpu_region_rw(index);
	u8 buf[GVT_MDEV_ACCESS_CHUNK] __aligned(8);
	size_t done = 0, n;
	int ret = 0;

	if (!rw || !count)
		return -EINVAL;
	mutex_lock(&vgpu->lock);
	while (done < count) {
		n = min_t(size_t, count - done, sizeof(buf));
		if (write && copy_from_user(buf, ubuf + done, n)) {
			ret = -EFAULT;
			break;
		}
		ret = rw(vgpu, off + done, buf, n, write);
		if (ret)
			break;
		if (!write && copy_to_user(ubuf + done, buf, n)) {
			ret = -EFAULT;
			break;
		}
		done += n;
	}
	if (done)
		gvt_mdev_vgpu_count(vgpu, index, write);
	mutex_unlock(&vgpu->lock);
	if (!done)
		return ret;
	*ppos += done;
	return done;
}

static ssize_t gvt_mdev_vgpu_read(struct vfio_device *vdev, char __user *buf,
				  size_t count, loff_t *ppos)
{
	return gvt_mdev_vgpu_access(gvt_mdev_vgpu_of(vdev), buf, count, ppos, false);
}

static ssize_t gvt_mdev_vgpu_write(struct vfio_device *vdev, const char __user *buf,
				   size_t count, loff_t *ppos)
{
	return gvt_mdev_vgpu_access(gvt_mdev_vgpu_of(vdev), (char __user *)buf, count,
				    ppos, true);
}

static int gvt_mdev_vgpu_mmap(struct vfio_device *vdev, struct vm_area_struct *vma)
{
	unsigned int index = vma->vm_pgoff >> (GVT_MDEV_REGION_SHIFT - PAGE_SHIFT);

	if (index != VFIO_PCI_BAR2_REGION_INDEX)
		return -EINVAL;
	return gvt_mdev_aperture_mmap(gvt_mdev_vgpu_of(vdev), vma);
}

static void gvt_mdev_vgpu_request(struct vfio_device *vdev, unsigned int count)
{
	struct gvt_mdev_vgpu *vgpu = gvt_mdev_vgpu_of(vdev);

	mutex_lock(&vgpu->lock);
	gvt_mdev_irq_request(vgpu, count);
	mutex_unlock(&vgpu->lock);
}

static const struct vfio_device_ops gvt_mdev_vgpu_ops = {
	.name = "gvt-mdev-vgpu",
	.init = gvt_mdev_vgpu_init,
	.release = gvt_mdev_vgpu_release,
	.open_device = gvt_mdev_vgpu_open,
	.close_device = gvt_mdev_vgpu_close,
	.read = gvt_mdev_vgpu_read,
	.write = gvt_mdev_vgpu_write,
	.mmap = gvt_mdev_vgpu_mmap,
	.ioctl = gvt_mdev_ioctl,
	.request = gvt_mdev_vgpu_request,
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
	mutex_lock(&gvt_mdev_registry_lock);
	list_add_tail(&vgpu->node, &vgpu->parent->vgpus);
	mutex_unlock(&gvt_mdev_registry_lock);
	gvt_mdev_genl_event(vgpu, GVT_GENL_CMD_VGPU_CREATED);
	return 0;
}

static void gvt_mdev_vgpu_remove(struct mdev_device *mdev)
{
	struct gvt_mdev_vgpu *vgpu = dev_get_drvdata(&mdev->dev);

	/* Waits for userspace to close the device, asking it through .request. */
	vfio_unregister_group_dev(&vgpu->vdev);
	mutex_lock(&gvt_mdev_registry_lock);
	list_del(&vgpu->node);
	mutex_unlock(&gvt_mdev_registry_lock);
	gvt_mdev_genl_event(vgpu, GVT_GENL_CMD_VGPU_REMOVED);
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
