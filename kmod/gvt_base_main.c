// SPDX-License-Identifier: GPL-2.0-only
/*
 * gvt_base: module parameters, the model GPUs' devices, init and exit.
 *
 * Each model GPU is a device of its own: a platform device "gvt_base.<n>",
 * or the PCI function named for it in host=.  Both are bound to a driver
 * called gvt_base, so the mdev core names types "gvt_base-GVTg_V5_<n>" on
 * either, as it names them "i915-GVTg_V5_<n>" on a real iGPU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/log2.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/platform_device.h>
#include "gvt_base_internal.h"

#define GVT_BASE_APERTURE_MB_MIN	256
#define GVT_BASE_APERTURE_MB_MAX	2048
#define GVT_BASE_GGTT_SIZE		SZ_4G
#define GVT_BASE_GTTMMIO_SIZE		SZ_16M
#define GVT_BASE_FENCES			32	/* Gen9 fence registers */

static unsigned int gvt_base_gpus = 1;
module_param_named(gpus, gvt_base_gpus, uint, 0444);
MODULE_PARM_DESC(gpus, "Number of model GPUs (1-8, default 1)");

static unsigned int gvt_base_aperture_mb = 512;
module_param_named(aperture_mb, gvt_base_aperture_mb, uint, 0444);
MODULE_PARM_DESC(aperture_mb,
		 "Aperture (BAR2, low graphics memory) in MiB: a power of two, 256-2048, default 512");

static unsigned int gvt_base_device_id = 0x1912;
module_param_named(device_id, gvt_base_device_id, uint, 0444);
MODULE_PARM_DESC(device_id,
		 "PCI device id of the model (0x0001-0xfffe, default 0x1912, Skylake GT2); must match a golden_hw_state blob's");

static unsigned int gvt_base_revision = 0x06;
module_param_named(revision, gvt_base_revision, uint, 0444);
MODULE_PARM_DESC(revision, "PCI revision id of the model (0x00-0xff, default 0x06)");

char *gvt_base_golden_name;
module_param_named(golden, gvt_base_golden_name, charp, 0444);
MODULE_PARM_DESC(golden,
		 "Firmware file with a kvmgt golden_hw_state blob (default: kvmgt's name, i915/gvt/vid_0x8086_did_0x<device_id>_rid_0x<revision>.golden_hw_state)");

static char *gvt_base_hosts[GVT_BASE_MAX_GPUS];
static unsigned int gvt_base_nr_hosts;
module_param_array_named(host, gvt_base_hosts, charp, &gvt_base_nr_hosts, 0444);
MODULE_PARM_DESC(host,
		 "PCI functions (DDDD:BB:DD.F, comma separated) to host GPU 0, 1, ... on; the rest are platform devices");

struct gvt_base_model gvt_base_model;

/* Platform devices of the GPUs not hosted on PCI, indexed by GPU number. */
static struct platform_device *gvt_base_pdevs[GVT_BASE_MAX_GPUS];

static int gvt_base_check_params(void)
{
	if (gvt_base_gpus < 1 || gvt_base_gpus > GVT_BASE_MAX_GPUS) {
		pr_err("gpus=%u out of range: allowed 1-%d\n",
		       gvt_base_gpus, GVT_BASE_MAX_GPUS);
		return -EINVAL;
	}
	if (gvt_base_aperture_mb < GVT_BASE_APERTURE_MB_MIN ||
	    gvt_base_aperture_mb > GVT_BASE_APERTURE_MB_MAX ||
	    !is_power_of_2(gvt_base_aperture_mb)) {
		pr_err("aperture_mb=%u invalid: allowed a power of two, %d-%d\n",
		       gvt_base_aperture_mb, GVT_BASE_APERTURE_MB_MIN,
		       GVT_BASE_APERTURE_MB_MAX);
		return -EINVAL;
	}
	if (gvt_base_device_id < 0x0001 || gvt_base_device_id > 0xfffe) {
		pr_err("device_id=%#x out of range: allowed 0x0001-0xfffe\n",
		       gvt_base_device_id);
		return -EINVAL;
	}
	if (gvt_base_revision > 0xff) {
		pr_err("revision=%#x out of range: allowed 0x00-0xff\n",
		       gvt_base_revision);
		return -EINVAL;
	}
	if (gvt_base_nr_hosts > gvt_base_gpus) {
		pr_err("host= names %u PCI functions for %u GPUs: allowed at most gpus=\n",
		       gvt_base_nr_hosts, gvt_base_gpus);
		return -EINVAL;
	}
	return 0;
}

static int gvt_base_platform_probe(struct platform_device *pdev)
{
	return gvt_base_gpu_probe(&pdev->dev, pdev->id);
}

static int gvt_base_platform_remove(struct platform_device *pdev)
{
	gvt_base_gpu_remove(&pdev->dev);
	return 0;
}

static struct platform_driver gvt_base_platform_driver = {
	.probe = gvt_base_platform_probe,
	.remove = gvt_base_platform_remove,
	.driver = {
		.name = KBUILD_MODNAME,
		.dev_groups = gvt_base_gpu_groups,
	},
};

static int __init gvt_base_init(void)
{
	struct platform_device *pdev;
	unsigned int i;
	int ret;

	ret = gvt_base_check_params();
	if (ret)
		return ret;

	gvt_base_model = (struct gvt_base_model) {
		.vendor = GVT_BASE_VENDOR_INTEL,
		.device = gvt_base_device_id,
		.revision = gvt_base_revision,
		.res = {
			.gttmmio_size = GVT_BASE_GTTMMIO_SIZE,
			.aperture_size = (u64)gvt_base_aperture_mb * SZ_1M,
			.ggtt_size = GVT_BASE_GGTT_SIZE,
			.fences = GVT_BASE_FENCES,
		},
	};

	ret = platform_driver_register(&gvt_base_platform_driver);
	if (ret)
		return ret;

	ret = gvt_base_pcihost_init(gvt_base_hosts, gvt_base_nr_hosts);
	if (ret)
		goto err_platform_driver;

	for (i = gvt_base_nr_hosts; i < gvt_base_gpus; i++) {
		pdev = platform_device_register_simple(KBUILD_MODNAME, i, NULL, 0);
		if (IS_ERR(pdev)) {
			ret = PTR_ERR(pdev);
			goto err_pdevs;
		}
		gvt_base_pdevs[i] = pdev;
	}
	return 0;

err_pdevs:
	while (i-- > gvt_base_nr_hosts)
		platform_device_unregister(gvt_base_pdevs[i]);
	gvt_base_pcihost_exit();
err_platform_driver:
	platform_driver_unregister(&gvt_base_platform_driver);
	return ret;
}

static void __exit gvt_base_exit(void)
{
	unsigned int i = gvt_base_gpus;

	while (i-- > gvt_base_nr_hosts)
		platform_device_unregister(gvt_base_pdevs[i]);
	gvt_base_pcihost_exit();
	platform_driver_unregister(&gvt_base_platform_driver);
}

module_init(gvt_base_init);
module_exit(gvt_base_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Model Intel Gen9 GPUs with their initial-HW-state snapshot, for GVT-g");
