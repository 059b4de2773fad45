// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench-vfio UUID ROUNDS BATCH: what one trapped register access costs a VMM.
 * Opens the vGPU through VFIO (container, group, device fd) as QEMU does and
 * times, round after round with the kinds interleaved so that noise hits all
 * alike:
 *   zero-pread        4-byte pread of /dev/zero: the syscall floor
 *   bar0-read         4-byte pread of a plain BAR0 register (RENDER_HWSTAM)
 *   bar0-read-pvinfo  4-byte pread of PVINFO's vgt_id
 *   bar0-write        4-byte pwrite of the plain register (its own value back)
 *   bar0-write-pvinfo 4-byte pwrite of PVINFO's cursor x hot spot (guest-writable)
 *     each sample the mean ns of BATCH calls;
 *   bar2-mmap         a fresh shared mapping of BATCH pages of the aperture
 *                     slice (BAR2's sparse-mmap area), one byte written per
 *                     page, unmapped
 *   anon-mmap         the same with an anonymous private mapping
 *     each sample ns per page, mmap and munmap included.
 * The aperture is touched once before timing: its pages exist, as they do for
 * a VMM whose guest has used them. Prints "KIND NS" lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/vfio.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"

#define REGION(i)		((uint64_t) (i) << 40)
#define BAR0			REGION(VFIO_PCI_BAR0_REGION_INDEX)
#define RENDER_HWSTAM		0x2098	/* a plain register: stored, nothing more */
#define PVINFO_VGT_ID		0x7800c
#define PVINFO_CURSOR_X_HOT	0x78830
#define PAGE			4096

typedef struct Vfio {
	int container, group, device;
} Vfio;

static int fail(const char *what)
{
	fprintf(stderr, "bench-vfio: %s: %s\n", what, strerror(errno));
	return -1;
}

static int vfio_open_mdev(Vfio *v, const char *uuid)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/iommu_group", uuid);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return fail(path);
	target[n] = '\0';
	snprintf(path, sizeof(path), "/dev/vfio/%s", strrchr(target, '/') + 1);
	v->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	v->group = open(path, O_RDWR | O_CLOEXEC);
	if (v->container < 0 || v->group < 0)
		return fail("open /dev/vfio");
	if (ioctl(v->group, VFIO_GROUP_GET_STATUS, &status) < 0 || !(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		return fail("group not viable");
	if (ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container) < 0 ||
	    ioctl(v->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) < 0)
		return fail("container");
	v->device = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	return v->device < 0 ? fail("VFIO_GROUP_GET_DEVICE_FD") : 0;
}

/* BAR2's mmap-able area (the vGPU's slice of the aperture): file offset and size. */
static int aperture_area(const Vfio *v, uint64_t *offset, uint64_t *size)
{
	union {
		struct vfio_region_info info;
		char buf[512];
	} u = { .info = { .argsz = sizeof(u), .index = VFIO_PCI_BAR2_REGION_INDEX } };
	uint32_t at;

	if (ioctl(v->device, VFIO_DEVICE_GET_REGION_INFO, &u.info) < 0)
		return fail("BAR2 region info");
	if (!(u.info.flags & VFIO_REGION_INFO_FLAG_CAPS) || u.info.argsz > sizeof(u)) {
		errno = ENOTSUP;
		return fail("BAR2 without a sparse-mmap capability");
	}
	for (at = u.info.cap_offset; at; at = ((struct vfio_info_cap_header *) (u.buf + at))->next) {
		struct vfio_region_info_cap_sparse_mmap *s = (void *) (u.buf + at);

		if (s->header.id == VFIO_REGION_INFO_CAP_SPARSE_MMAP && s->nr_areas >= 1) {
			*offset = u.info.offset + s->areas[0].offset;
			*size = s->areas[0].size;
			return 0;
		}
	}
	errno = ENOTSUP;
	return fail("BAR2 sparse-mmap area");
}

/* Mean ns of batch 4-byte transfers at off of fd. */
static int time_io(int fd, uint64_t off, bool write, unsigned batch, double *ns)
{
	uint32_t val = 0;
	uint64_t t;

	if (write && pread(fd, &val, sizeof(val), off) != sizeof(val))
		return fail("pread before pwrite");
	t = now_ns();
	for (unsigned i = 0; i < batch; i++)
		if ((write ? pwrite(fd, &val, sizeof(val), off) : pread(fd, &val, sizeof(val), off)) != sizeof(val))
			return fail(write ? "pwrite" : "pread");
	*ns = (double) (now_ns() - t) / batch;
	return 0;
}

/* ns per page: map pages (of fd at off, or anonymous with fd -1), write a byte to each, unmap. */
static int time_touch(int fd, uint64_t off, unsigned pages, double *ns)
{
	size_t len = (size_t) pages * PAGE;
	uint64_t t = now_ns();
	volatile char *p = fd < 0 ? mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
				  : mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t) off);

	if (p == MAP_FAILED)
		return fail("mmap");
	for (size_t i = 0; i < len; i += PAGE)
		p[i] = (char) i;
	munmap((void *) p, len);
	*ns = (double) (now_ns() - t) / pages;
	return 0;
}

int main(int argc, char *argv[])
{
	Vfio v = { -1, -1, -1 };
	uint64_t ap_off, ap_size;
	unsigned rounds, batch;
	_cleanup_close_ int zero = -1;
	double ns;

	if (argc != 4 || (rounds = strtoul(argv[2], NULL, 10)) == 0 || (batch = strtoul(argv[3], NULL, 10)) == 0) {
		fprintf(stderr, "usage: bench-vfio UUID ROUNDS BATCH\n");
		return 2;
	}
	zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	if (zero < 0 || vfio_open_mdev(&v, argv[1]) < 0 || aperture_area(&v, &ap_off, &ap_size) < 0)
		return 1;
	if ((uint64_t) batch * PAGE > ap_size) {
		fprintf(stderr, "bench-vfio: %u pages do not fit the %llu-byte aperture slice\n", batch,
			(unsigned long long) ap_size);
		return 1;
	}
	if (time_touch(v.device, ap_off, batch, &ns) < 0)
		return 1;
	for (unsigned r = 0; r < rounds; r++) {
		static const struct {
			const char *kind;
			uint64_t off;
			bool write;
		} io[] = {
			{ "zero-pread", 0, false },
			{ "bar0-read", BAR0 + RENDER_HWSTAM, false },
			{ "bar0-read-pvinfo", BAR0 + PVINFO_VGT_ID, false },
			{ "bar0-write", BAR0 + RENDER_HWSTAM, true },
			{ "bar0-write-pvinfo", BAR0 + PVINFO_CURSOR_X_HOT, true },
		};

		for (size_t i = 0; i < ELEMENTSOF(io); i++) {
			if (time_io(i == 0 ? zero : v.device, io[i].off, io[i].write, batch, &ns) < 0)
				return 1;
			printf("%s %.1f\n", io[i].kind, ns);
		}
		if (time_touch(v.device, ap_off, batch, &ns) < 0)
			return 1;
		printf("bar2-mmap %.1f\n", ns);
		if (time_touch(-1, 0, batch, &ns) < 0)
			return 1;
		printf("anon-mmap %.1f\n", ns);
	}
	close(v.device);
	close(v.group);
	close(v.container);
	return 0;
}
