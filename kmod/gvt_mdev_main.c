// SPDX-License-Identifier: GPL-2.0-only
/*
 * gvt_mdev: kvmgt's part.  An auxiliary driver for gvt_base's GPUs that
 * registers an mdev parent with the GVT-g types on each GPU's device.
 *
 * It depends on gvt_base one way, through namespaced symbols, so it cannot
 * load before it and gvt_base cannot unload under it.  It has no
 * MODULE_DEVICE_TABLE on purpose: nothing autoloads it when gvt_base's
 * devices appear; whoever owns the load order (gvtd) loads it or not.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include "gvt_mdev.h"

DEFINE_MUTEX(gvt_mdev_registry_lock);
LIST_HEAD(gvt_mdev_parents);

static int gvt_mdev_probe(struct auxiliary_device *adev,
			  const struct auxiliary_device_id *id)
{
	struct gvt_base_gpu *gpu = gvt_base_gpu_from_auxdev(adev);
	struct device *dev = gvt_base_gpu_device(gpu);
	struct gvt_mdev_parent *p;
	int ret;

	if (!gvt_base_gpu_ready(gpu))
		return -ENODEV;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->gpu = gpu;
	INIT_LIST_HEAD(&p->vgpus);
	gvt_mdev_alloc_init(p, gvt_base_gpu_resources(gpu));
	gvt_mdev_types_init(p);
	if (!p->nr_types) {
		dev_err(dev, "aperture too small for any vGPU type\n");
		ret = -ENODEV;
		goto err_free;
	}

	ret = mdev_register_parent(&p->parent, dev, &gvt_mdev_vgpu_driver,
				   p->type_ptrs, p->nr_types);
	if (ret)
		goto err_free;
	auxiliary_set_drvdata(adev, p);
	mutex_lock(&gvt_mdev_registry_lock);
	list_add_tail(&p->node, &gvt_mdev_parents);
	mutex_unlock(&gvt_mdev_registry_lock);
	return 0;

err_free:
	mutex_destroy(&p->lock);
	kfree(p);
	return ret;
}

/* Removes the parent's vGPUs first; each waits for its users to close it. */
static void gvt_mdev_remove(struct auxiliary_device *adev)
{
	struct gvt_mdev_parent *p = auxiliary_get_drvdata(adev);

	mutex_lock(&gvt_mdev_registry_lock);
	list_del(&p->node);
	mutex_unlock(&gvt_mdev_registry_lock);
	mdev_unregister_parent(&p->parent);
	mutex_destroy(&p->lock);
	kfree(p);
}

static const struct auxiliary_device_id gvt_mdev_id_table[] = {
	{ .name = GVT_BASE_AUXDEV_ID },
	{ }
};

static struct auxiliary_driver gvt_mdev_aux_driver = {
	.probe = gvt_mdev_probe,
	.remove = gvt_mdev_remove,
	.id_table = gvt_mdev_id_table,
};

static int __init gvt_mdev_init(void)
{
	int ret;

	ret = gvt_mdev_genl_init();
	if (ret)
		return ret;
	ret = mdev_register_driver(&gvt_mdev_vgpu_driver);
	if (ret)
		goto err_genl;
	ret = auxiliary_driver_register(&gvt_mdev_aux_driver);
	if (ret)
		goto err_mdev_driver;
	return 0;

err_mdev_driver:
	mdev_unregister_driver(&gvt_mdev_vgpu_driver);
err_genl:
	gvt_mdev_genl_exit();
	return ret;
}

static void __exit gvt_mdev_exit(void)
{
	auxiliary_driver_unregister(&gvt_mdev_aux_driver);
	mdev_unregister_driver(&gvt_mdev_vgpu_driver);
	gvt_mdev_genl_exit();
}

module_init(gvt_mdev_init);
module_exit(gvt_mdev_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("GVT-g mediated vGPUs on gvt_base's GPUs: types, accounting, lifecycle");
MODULE_IMPORT_NS(GVT_BASE);
