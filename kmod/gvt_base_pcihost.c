// SPDX-License-Identifier: GPL-2.0-only
/*
 * gvt_base: host model GPUs on the PCI functions named in host=, so their
 * mdev parents have PCI addresses like a real iGPU at 00:02.0 (libvirt only
 * lists mdev parents that are PCI devices).  The driver has no ID table and
 * binds only through driver_override to a function it was given; it never
 * touches the function's hardware, the GPU's identity and registers still
 * come from the model or the golden blob.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/pci.h>
#include "gvt_base_internal.h"

/* The functions host= names, in GPU order; fixed between init and exit. */
static struct pci_dev *gvt_base_pcihost_devs[GVT_BASE_MAX_GPUS];
static unsigned int gvt_base_pcihost_nr;

/* The GPU number host= gives the function, or -1 if it names none. */
static int gvt_base_pcihost_index(const struct pci_dev *pdev)
{
	unsigned int i;

	for (i = 0; i < gvt_base_pcihost_nr; i++)
		if (gvt_base_pcihost_devs[i] == pdev)
			return i;
	return -1;
}

static int gvt_base_pcihost_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	int index = gvt_base_pcihost_index(pdev);

	/* Reached through new_id or a stray driver_override: not ours. */
	if (index < 0)
		return -ENODEV;
	return gvt_base_gpu_probe(&pdev->dev, index);
}

static void gvt_base_pcihost_remove(struct pci_dev *pdev)
{
	gvt_base_gpu_remove(&pdev->dev);
}

static struct pci_driver gvt_base_pci_driver = {
	.name = KBUILD_MODNAME,
	.id_table = NULL,	/* driver_override only */
	.probe = gvt_base_pcihost_probe,
	.remove = gvt_base_pcihost_remove,
	.dev_groups = gvt_base_gpu_groups,
};

static struct pci_dev *gvt_base_pcihost_lookup(const char *addr)
{
	unsigned int domain, bus, slot, func;
	char end;

	if (sscanf(addr, "%x:%x:%x.%x%c", &domain, &bus, &slot, &func, &end) != 4 ||
	    domain > 0xffff || bus > 0xff || slot > 0x1f || func > 7) {
		pr_err("host=%s invalid: allowed PCI addresses DDDD:BB:DD.F\n", addr);
		return ERR_PTR(-EINVAL);
	}
	return pci_get_domain_bus_and_slot(domain, bus, PCI_DEVFN(slot, func));
}

/* Drop the functions; clear_override once gvt_base may have set theirs. */
static void gvt_base_pcihost_put_all(bool clear_override)
{
	struct pci_dev *pdev;

	while (gvt_base_pcihost_nr) {
		pdev = gvt_base_pcihost_devs[--gvt_base_pcihost_nr];
		if (clear_override)
			driver_set_override(&pdev->dev, &pdev->driver_override, "", 0);
		pci_dev_put(pdev);
	}
}

/*
 * The function must have no driver and no driver_override of someone else's,
 * so that clearing the override at exit leaves it as it was.
 */
static int gvt_base_pcihost_check_free(struct pci_dev *pdev)
{
	int ret = 0;

	device_lock(&pdev->dev);
	if (pdev->dev.driver) {
		pr_err("host=%s: PCI function is bound to %s; unbind it first\n",
		       pci_name(pdev), pdev->dev.driver->name);
		ret = -EBUSY;
	} else if (pdev->driver_override &&
		   strcmp(pdev->driver_override, KBUILD_MODNAME)) {
		pr_err("host=%s: PCI function has driver_override %s; clear it first\n",
		       pci_name(pdev), pdev->driver_override);
		ret = -EBUSY;
	}
	device_unlock(&pdev->dev);
	return ret;
}

/* Bind gvt_base to the function. */
static int gvt_base_pcihost_attach(struct pci_dev *pdev)
{
	struct device_driver *drv;
	int ret;

	ret = driver_set_override(&pdev->dev, &pdev->driver_override,
				  KBUILD_MODNAME, strlen(KBUILD_MODNAME));
	if (ret)
		return ret;
	ret = device_attach(&pdev->dev);
	if (ret < 0)
		return ret;

	device_lock(&pdev->dev);
	drv = pdev->dev.driver;
	if (drv != &gvt_base_pci_driver.driver) {
		pr_err("host=%s: %s%s\n", pci_name(pdev),
		       drv ? "PCI function is bound to " : "GPU probe failed",
		       drv ? drv->name : "");
		ret = drv ? -EBUSY : -ENODEV;
	} else {
		ret = 0;
	}
	device_unlock(&pdev->dev);
	return ret;
}

int gvt_base_pcihost_init(char **hosts, unsigned int nr_hosts)
{
	struct pci_dev *pdev;
	unsigned int i;
	int ret;

	if (!nr_hosts)
		return 0;

	for (i = 0; i < nr_hosts; i++) {
		pdev = gvt_base_pcihost_lookup(hosts[i]);
		if (IS_ERR_OR_NULL(pdev)) {
			if (!pdev)
				pr_err("host=%s: no such PCI function\n", hosts[i]);
			ret = pdev ? PTR_ERR(pdev) : -ENODEV;
			goto err_put;
		}
		gvt_base_pcihost_devs[i] = pdev;
		gvt_base_pcihost_nr = i + 1;
		if (gvt_base_pcihost_index(pdev) != (int)i) {
			pr_err("host=%s named twice: allowed one GPU per PCI function\n",
			       hosts[i]);
			ret = -EINVAL;
			goto err_put;
		}
		ret = gvt_base_pcihost_check_free(pdev);
		if (ret)
			goto err_put;
	}

	ret = pci_register_driver(&gvt_base_pci_driver);
	if (ret)
		goto err_put;
	for (i = 0; i < nr_hosts; i++) {
		ret = gvt_base_pcihost_attach(gvt_base_pcihost_devs[i]);
		if (ret)
			goto err_driver;
	}
	return 0;

err_driver:
	pci_unregister_driver(&gvt_base_pci_driver);
	gvt_base_pcihost_put_all(true);
	return ret;
err_put:
	gvt_base_pcihost_put_all(false);
	return ret;
}

void gvt_base_pcihost_exit(void)
{
	if (!gvt_base_pcihost_nr)
		return;
	pci_unregister_driver(&gvt_base_pci_driver);
	gvt_base_pcihost_put_all(true);
}
