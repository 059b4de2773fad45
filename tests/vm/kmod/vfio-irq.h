/* SPDX-License-Identifier: GPL-2.0-only */
/* VFIO_DEVICE_SET_IRQS with one eventfd (or none), for the VM checks. */
#pragma once

#include <errno.h>
#include <linux/vfio.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

/* count entries of data (one eventfd at most); 0 or -errno. */
static inline int vfio_irq_set(int fd, unsigned int index, uint32_t flags, uint32_t count, int32_t efd)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *set = (void *)buf;

	set->argsz = (flags & VFIO_IRQ_SET_DATA_NONE) ? sizeof(*set) : sizeof(buf);
	set->flags = flags;
	set->index = index;
	set->start = 0;
	set->count = count;
	memcpy(set->data, &efd, sizeof(efd));
	return ioctl(fd, VFIO_DEVICE_SET_IRQS, set) ? -errno : 0;
}
