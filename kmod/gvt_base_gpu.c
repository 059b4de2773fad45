// SPDX-License-Identifier: GPL-2.0-only
/*
 * gvt_base: one model GPU.  Probe takes the snapshot before anything else
 * touches the device, publishes it as golden_hw_state and hands the GPU to
 * the mdev layer as an auxiliary device.  The exported calls are gvt_mdev's
 * whole view of the GPU.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/vmalloc.h>
#include "gvt_base_internal.h"

static void gvt_base_gpu_release(struct device *dev)
{
	struct gvt_base_gpu *gpu = container_of(dev, struct gvt_base_gpu, auxdev.dev);

	vfree(gpu->golden);
	kfree(gpu);
}

/* Take the snapshot: a verified golden_hw_state blob if there is one, else the model. */
static void gvt_base_gpu_snapshot_take(struct gvt_base_gpu *gpu)
{
	u8 *cfg = gpu->golden + GVT_BASE_GOLDEN_CFG_OFFSET;
	u8 *mmio = gpu->golden + GVT_BASE_GOLDEN_MMIO_OFFSET;

	if (gvt_base_golden_load(gpu->dev, &gvt_base_model, gpu->golden)) {
		gvt_base_model_fill(&gvt_base_model, cfg, mmio);
		gvt_base_snapshot_seal(gpu->golden);
		dev_info(gpu->dev, "snapshot from the model: %04x:%04x rev %02x\n",
			 gvt_base_model.vendor, gvt_base_model.device,
			 gvt_base_model.revision);
	}
	gpu->snapshot.cfg_space = cfg;
	gpu->snapshot.mmio = mmio;
	gpu->snapshot.size = GVT_BASE_GOLDEN_SIZE;
	gpu->snapshot.crc32 =
		le32_to_cpu(((struct gvt_base_golden_header *)gpu->golden)->crc32);
}

int gvt_base_gpu_probe(struct device *dev, unsigned int index)
{
	struct gvt_base_gpu *gpu;
	int ret;

	gpu = kzalloc(sizeof(*gpu), GFP_KERNEL);
	if (!gpu)
		return -ENOMEM;
	gpu->golden = vzalloc(GVT_BASE_GOLDEN_SIZE);
	if (!gpu->golden) {
		kfree(gpu);
		return -ENOMEM;
	}
	gpu->dev = dev;
	gpu->res = gvt_base_model.res;

	/* First thing on the device: nothing may touch it before the snapshot. */
	gvt_base_gpu_snapshot_take(gpu);
	gpu->ready = true;
	dev_set_drvdata(dev, gpu);

	gpu->auxdev.name = "gpu";
	gpu->auxdev.id = index;
	gpu->auxdev.dev.parent = dev;
	gpu->auxdev.dev.release = gvt_base_gpu_release;
	ret = auxiliary_device_init(&gpu->auxdev);
	if (ret) {
		gvt_base_gpu_release(&gpu->auxdev.dev);
		return ret;
	}
	/* From here on the GPU is freed by the last put of auxdev. */
	ret = auxiliary_device_add(&gpu->auxdev);
	if (ret) {
		auxiliary_device_uninit(&gpu->auxdev);
		return ret;
	}
	return 0;
}

void gvt_base_gpu_remove(struct device *dev)
{
	struct gvt_base_gpu *gpu = dev_get_drvdata(dev);

	/* Unbinds gvt_mdev from the GPU first, which removes its vGPUs. */
	gpu->ready = false;
	auxiliary_device_delete(&gpu->auxdev);
	auxiliary_device_uninit(&gpu->auxdev);
}

/* The core clamps off and count to the attribute's size. */
static ssize_t golden_hw_state_read(struct file *file, struct kobject *kobj,
				    struct bin_attribute *attr, char *buf,
				    loff_t off, size_t count)
{
	struct gvt_base_gpu *gpu = dev_get_drvdata(kobj_to_dev(kobj));

	memcpy(buf, gpu->golden + off, count);
	return count;
}
static BIN_ATTR_ADMIN_RO(golden_hw_state, GVT_BASE_GOLDEN_SIZE);

static struct bin_attribute *gvt_base_gpu_bin_attrs[] = {
	&bin_attr_golden_hw_state,
	NULL,
};

static const struct attribute_group gvt_base_gpu_group = {
	.bin_attrs = gvt_base_gpu_bin_attrs,
};

const struct attribute_group *gvt_base_gpu_groups[] = {
	&gvt_base_gpu_group,
	NULL,
};

struct gvt_base_gpu *gvt_base_gpu_from_auxdev(struct auxiliary_device *adev)
{
	return container_of(adev, struct gvt_base_gpu, auxdev);
}
EXPORT_SYMBOL_NS_GPL(gvt_base_gpu_from_auxdev, GVT_BASE);

/* "Is GVT enabled on this device": snapshot taken and GPU not going away. */
bool gvt_base_gpu_ready(const struct gvt_base_gpu *gpu)
{
	return gpu->ready;
}
EXPORT_SYMBOL_NS_GPL(gvt_base_gpu_ready, GVT_BASE);

/* The device an mdev parent registers on, as kvmgt uses i915's PCI device. */
struct device *gvt_base_gpu_device(const struct gvt_base_gpu *gpu)
{
	return gpu->dev;
}
EXPORT_SYMBOL_NS_GPL(gvt_base_gpu_device, GVT_BASE);

const struct gvt_base_snapshot *gvt_base_gpu_snapshot(const struct gvt_base_gpu *gpu)
{
	return &gpu->snapshot;
}
EXPORT_SYMBOL_NS_GPL(gvt_base_gpu_snapshot, GVT_BASE);

const struct gvt_base_resources *gvt_base_gpu_resources(const struct gvt_base_gpu *gpu)
{
	return &gpu->res;
}
EXPORT_SYMBOL_NS_GPL(gvt_base_gpu_resources, GVT_BASE);
