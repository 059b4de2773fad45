// SPDX-License-Identifier: GPL-2.0-only
/*
 * gvt_mdev: a vGPU's interrupts, delivered to eventfds userspace hands in
 * with VFIO_DEVICE_SET_IRQS: one INTx (maskable, masked again by each
 * delivery as vfio-pci's), one MSI, and the device request a VMM is sent
 * when the vGPU is being removed while open.  The emulation raises the
 * interrupt on MSI if a trigger is set, else on INTx.  All of it runs under
 * vgpu->lock; triggers are dropped when the device is closed.
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include "gvt_mdev.h"

int gvt_mdev_irq_count(unsigned int index)
{
	switch (index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
	case VFIO_PCI_MSI_IRQ_INDEX:
	case VFIO_PCI_REQ_IRQ_INDEX:
		return 1;
	}
	return 0;
}

/* Fill info for info->index, which the caller checked. */
void gvt_mdev_irq_info(struct vfio_irq_info *info)
{
	info->count = gvt_mdev_irq_count(info->index);
	info->flags = info->count ? VFIO_IRQ_INFO_EVENTFD : 0;
	if (info->index == VFIO_PCI_INTX_IRQ_INDEX)
		info->flags |= VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
	else if (info->count)
		info->flags |= VFIO_IRQ_INFO_NORESIZE;
}

static void gvt_mdev_irq_signal(struct gvt_mdev_vgpu *vgpu, unsigned int index)
{
	struct eventfd_ctx *trigger = vgpu->irqs.trigger[index];

	if (!trigger)
		return;
	if (index == VFIO_PCI_INTX_IRQ_INDEX) {
		if (vgpu->irqs.intx_masked)
			return;
		vgpu->irqs.intx_masked = true;
	}
	eventfd_signal(trigger, 1);
}

void gvt_mdev_irq_raise(struct gvt_mdev_vgpu *vgpu)
{
	if (vgpu->irqs.trigger[VFIO_PCI_MSI_IRQ_INDEX])
		gvt_mdev_irq_signal(vgpu, VFIO_PCI_MSI_IRQ_INDEX);
	else
		gvt_mdev_irq_signal(vgpu, VFIO_PCI_INTX_IRQ_INDEX);
}

/* fd < 0 drops the trigger. */
static int gvt_mdev_irq_set_trigger(struct gvt_mdev_vgpu *vgpu, unsigned int index, s32 fd)
{
	struct eventfd_ctx *trigger = NULL;

	if (fd >= 0) {
		trigger = eventfd_ctx_fdget(fd);
		if (IS_ERR(trigger))
			return PTR_ERR(trigger);
	}
	if (vgpu->irqs.trigger[index])
		eventfd_ctx_put(vgpu->irqs.trigger[index]);
	vgpu->irqs.trigger[index] = trigger;
	if (index == VFIO_PCI_INTX_IRQ_INDEX)
		vgpu->irqs.intx_masked = false;
	return 0;
}

/*
 * hdr was checked by vfio_set_irqs_validate_and_prepare; data has its
 * payload, hdr->count entries of it.  That check lets a count of 0 through
 * with any data type (and then no data at all); as vfio-pci, every action
 * wants a count of 1 but a trigger without data, where 0 disables.
 */
int gvt_mdev_irq_set(struct gvt_mdev_vgpu *vgpu, const struct vfio_irq_set *hdr, void *data)
{
	u32 action = hdr->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
	u32 type = hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	bool on;

	if (hdr->count != 1 &&
	    !(hdr->count == 0 && action == VFIO_IRQ_SET_ACTION_TRIGGER && type == VFIO_IRQ_SET_DATA_NONE))
		return -EINVAL;
	on = type == VFIO_IRQ_SET_DATA_NONE || (type == VFIO_IRQ_SET_DATA_BOOL && *(u8 *)data);

	switch (action) {
	case VFIO_IRQ_SET_ACTION_MASK:
	case VFIO_IRQ_SET_ACTION_UNMASK:
		if (hdr->index != VFIO_PCI_INTX_IRQ_INDEX || type == VFIO_IRQ_SET_DATA_EVENTFD)
			return -EINVAL;
		if (on)
			vgpu->irqs.intx_masked = action == VFIO_IRQ_SET_ACTION_MASK;
		return 0;
	case VFIO_IRQ_SET_ACTION_TRIGGER:
		if (type == VFIO_IRQ_SET_DATA_EVENTFD)
			return gvt_mdev_irq_set_trigger(vgpu, hdr->index, *(s32 *)data);
		/* No data and a count of 0: disable. */
		if (type == VFIO_IRQ_SET_DATA_NONE && !hdr->count)
			return gvt_mdev_irq_set_trigger(vgpu, hdr->index, -1);
		if (on)
			gvt_mdev_irq_signal(vgpu, hdr->index);
		return 0;
	}
	return -EINVAL;
}

/* The vfio core asks, again and again, while a remove waits for the user. */
void gvt_mdev_irq_request(struct gvt_mdev_vgpu *vgpu, unsigned int count)
{
	struct eventfd_ctx *trigger = vgpu->irqs.trigger[VFIO_PCI_REQ_IRQ_INDEX];

	if (trigger)
		eventfd_signal(trigger, 1);
	else if (!count)
		dev_notice(vgpu->vdev.dev, "removal waits for the user to close the vGPU (no request eventfd)\n");
}

void gvt_mdev_irq_release(struct gvt_mdev_vgpu *vgpu)
{
	unsigned int i;

	for (i = 0; i < VFIO_PCI_NUM_IRQS; i++)
		gvt_mdev_irq_set_trigger(vgpu, i, -1);
}
