// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio-check: drives gvt_mdev's vGPUs through the VFIO user API only
 * (container, group, device fd), as a VMM would.  Expected values come from
 * kvmgt's definitions written out here (PVINFO layout, type sizes, the
 * config space rules, the EDID format, the OpRegion and VBT layout), never
 * from the module.
 *
 *   vfio-check device UUID OTHER_UUID   every device check on UUID; OTHER_UUID
 *                                        is a second vGPU on the same GPU
 *   vfio-check session UUID             open; 3 config reads, 2 config writes,
 *                                        5 BAR0 reads, 4 BAR0 writes; reset; close
 *   vfio-check fill UUID                write every page of the aperture slice
 *                                        through an mmap
 *   vfio-check request UUID             remove UUID while open: the request
 *                                        eventfd fires, closing lets remove finish
 *   vfio-check hold UUID                open UUID as a VMM would, print "open PID",
 *                                        keep it open until killed
 *   vfio-check hammer UUID1 UUID2 CYCLES TYPEDIR
 *                                        two threads write and read BAR0 of two
 *                                        vGPUs while a third creates and removes
 *                                        CYCLES vGPUs of TYPEDIR; prints
 *                                        "UUID reads writes" per hammered vGPU
 *   vfio-check display UUID             the display: plane queries and dma-bufs for
 *                                        pixels and registers written as the guest;
 *                                        removes UUID at the end
 *
 * Prints "ok   - ..." / "FAIL - ..." lines; exits 1 if anything failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vfio-irq.h"

#define MIB			(1ULL << 20)
#define REGION_OFFSET(i)	((uint64_t)(i) << 40)

/* i915_pvinfo.h */
#define PVINFO			0x78000
#define PV_MAGIC		0x4776544776544776ULL
#define PV_VERSION_MAJOR	(PVINFO + 0x08)
#define PV_VERSION_MINOR	(PVINFO + 0x0a)
#define PV_VGT_ID		(PVINFO + 0x0c)
#define PV_CAPS			(PVINFO + 0x10)
#define PV_MAPPABLE		(PVINFO + 0x40)
#define PV_NONMAPPABLE		(PVINFO + 0x48)
#define PV_FENCE_NUM		(PVINFO + 0x50)
#define PV_DISPLAY_READY	(PVINFO + 0x804)
#define PV_G2V_NOTIFY		(PVINFO + 0x818)
#define PV_CURSOR_X_HOT		(PVINFO + 0x830)
#define PV_CAPS_EXPECTED	((1 << 2) | (1 << 3) | (1 << 4))	/* PPGTT, HWSP, huge GTT */
#define G2V_RAISE_IRQ		0x100	/* docs/kernel.md: the interrupt doorbell */

/*
 * The OpRegion (Intel's IGD OpRegion spec, as kvmgt's gvt/opregion.c fills
 * it): header fields, mailbox 1's lid state, the VBT in mailbox 4.
 */
#define ASLS			0xfc
#define ASLS_GPA		0x7ffe1000u	/* any page a guest's firmware might pick */
#define OPREGION_SIZE		8192
#define OPR_SIZE_KIB		0x10	/* u32, KiB */
#define OPR_VERSION		0x14	/* u32, major in the top byte */
#define OPR_MBOXES		0x58	/* u32 */
#define OPR_MBOX_VBT		(1u << 3)
#define OPR_CLID		0x1ac
#define OPR_VBT			0x400
/* The VBT header (48 bytes), BDB header (22), blocks: id, u16 size, data. */
#define VBT_HEADER_SIZE		48
#define BDB_HEADER_SIZE		22
#define BDB_CHILD_SIZE		33	/* BDB 186 */
#define VBT_SIZE		(VBT_HEADER_SIZE + BDB_HEADER_SIZE + (3 + 5) + \
				 (3 + 5 + 4 * BDB_CHILD_SIZE) + (3 + 19))

#define GTT_OFFSET		(8 * MIB)
#define RENDER_HWSTAM		0x2098	/* all-ones in the snapshot */
#define GMCH_CTRL		0x50
#define HOST_LOW_MB		128	/* kvmgt's host reservations */
#define HOST_HIGH_MB		384
#define GGTT_MB			4096

/* kvmgt's Gen9 types: suffix, aperture MiB, hidden MiB, fences, resolution. */
static const struct type_row {
	int suffix;
	uint64_t low_mb, high_mb;
	uint32_t fences, xres, yres;
} types[] = {
	{ 8, 64, 384, 4, 1024, 768 },
	{ 4, 128, 512, 4, 1920, 1200 },
	{ 2, 256, 1024, 4, 1920, 1200 },
	{ 1, 512, 2048, 4, 1920, 1200 },
};

static int fails;

__attribute__((format(printf, 2, 3))) static void report(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf(ok ? "ok   - " : "FAIL - ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		fails++;
}

#define expect_eq(what, got, want) do {						\
	uint64_t g_ = (got), w_ = (want);					\
	report(g_ == w_, "%s: got %#" PRIx64 ", want %#" PRIx64, what, g_, w_);	\
} while (0)

static void die(const char *what)
{
	fprintf(stderr, "vfio-check: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* /sys/bus/mdev/devices/UUID/ATTR, first line. */
static char *sysfs_read(const char *uuid, const char *attr)
{
	static char buf[256];
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/%s", uuid, attr);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		die(path);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		die(path);
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

static int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

struct vgpu {
	const char *uuid;
	int container, group, fd;
};

static void vgpu_open(struct vgpu *v, const char *uuid)
{
	char path[PATH_MAX], link[PATH_MAX];
	struct vfio_group_status status = { .argsz = sizeof(status) };
	ssize_t n;

	v->uuid = uuid;
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/iommu_group", uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		die(path);
	link[n] = 0;
	v->container = open("/dev/vfio/vfio", O_RDWR);
	if (v->container < 0)
		die("/dev/vfio/vfio");
	if (ioctl(v->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION)
		die("VFIO_GET_API_VERSION");
	snprintf(path, sizeof(path), "/dev/vfio/%s", strrchr(link, '/') + 1);
	v->group = open(path, O_RDWR);
	if (v->group < 0)
		die(path);
	if (ioctl(v->group, VFIO_GROUP_GET_STATUS, &status) ||
	    !(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		die("group not viable");
	if (ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container))
		die("VFIO_GROUP_SET_CONTAINER");
	if (ioctl(v->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		die("VFIO_SET_IOMMU");
	v->fd = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (v->fd < 0)
		die("VFIO_GROUP_GET_DEVICE_FD");
}

static void vgpu_close(struct vgpu *v)
{
	close(v->fd);
	close(v->group);
	close(v->container);
}

/* 0 or -errno; a short transfer is -EIO. */
static int rd(struct vgpu *v, int region, uint64_t off, void *buf, size_t len)
{
	ssize_t n = pread(v->fd, buf, len, REGION_OFFSET(region) + off);

	return n < 0 ? -errno : (size_t)n == len ? 0 : -EIO;
}

static int wr(struct vgpu *v, int region, uint64_t off, const void *buf, size_t len)
{
	ssize_t n = pwrite(v->fd, buf, len, REGION_OFFSET(region) + off);

	return n < 0 ? -errno : (size_t)n == len ? 0 : -EIO;
}

static uint64_t rdn(struct vgpu *v, int region, uint64_t off, size_t len)
{
	uint64_t val = 0;

	if (rd(v, region, off, &val, len))
		report(false, "read %zu bytes at %d:%#" PRIx64, len, region, off);
	return val;
}

static void wrn(struct vgpu *v, int region, uint64_t off, uint64_t val, size_t len)
{
	if (wr(v, region, off, &val, len))
		report(false, "write %zu bytes at %d:%#" PRIx64, len, region, off);
}

#define cfg32(v, off)		rdn(v, VFIO_PCI_CONFIG_REGION_INDEX, off, 4)
#define cfg16(v, off)		rdn(v, VFIO_PCI_CONFIG_REGION_INDEX, off, 2)
#define mmio32(v, off)		rdn(v, VFIO_PCI_BAR0_REGION_INDEX, off, 4)
#define mmio64(v, off)		rdn(v, VFIO_PCI_BAR0_REGION_INDEX, off, 8)

static const struct type_row *vgpu_type(const char *uuid)
{
	const char *name = sysfs_read(uuid, "mdev_type/name");
	int suffix = atoi(strrchr(name, '_') + 1);
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].suffix == suffix)
			return &types[i];
	fprintf(stderr, "vfio-check: unknown type %s\n", name);
	exit(2);
}

/* Region info with room for capabilities; the caller frees. */
static struct vfio_region_info *region_info(struct vgpu *v, unsigned int index)
{
	struct vfio_region_info *info = calloc(1, sizeof(*info));

	info->argsz = sizeof(*info);
	info->index = index;
	if (ioctl(v->fd, VFIO_DEVICE_GET_REGION_INFO, info))
		die("VFIO_DEVICE_GET_REGION_INFO");
	if (info->argsz > sizeof(*info)) {
		uint32_t argsz = info->argsz;

		info = realloc(info, argsz);
		memset(info, 0, argsz);
		info->argsz = argsz;
		info->index = index;
		if (ioctl(v->fd, VFIO_DEVICE_GET_REGION_INFO, info))
			die("VFIO_DEVICE_GET_REGION_INFO with caps");
	}
	return info;
}

static struct vfio_info_cap_header *region_cap(struct vfio_region_info *info, uint16_t id)
{
	uint32_t off = (info->flags & VFIO_REGION_INFO_FLAG_CAPS) ? info->cap_offset : 0;
	struct vfio_info_cap_header *h;

	while (off) {
		h = (struct vfio_info_cap_header *)((char *)info + off);
		if (h->id == id)
			return h;
		off = h->next;
	}
	return NULL;
}

static void check_info(struct vgpu *v)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct vfio_region_info small = { .argsz = 8, .index = 0 };
	struct vfio_region_info bad = { .argsz = sizeof(bad), .index = 99 };

	if (ioctl(v->fd, VFIO_DEVICE_GET_INFO, &info))
		die("VFIO_DEVICE_GET_INFO");
	report((info.flags & (VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET)) ==
	       (VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET), "GET_INFO: PCI and RESET flags");
	expect_eq("GET_INFO: regions (vfio-pci's 9 + EDID + OpRegion)", info.num_regions,
		  VFIO_PCI_NUM_REGIONS + 2);
	expect_eq("GET_INFO: irqs", info.num_irqs, VFIO_PCI_NUM_IRQS);
	report(ioctl(v->fd, VFIO_DEVICE_GET_REGION_INFO, &small) < 0 && errno == EINVAL,
	       "GET_REGION_INFO with a short argsz: EINVAL");
	report(ioctl(v->fd, VFIO_DEVICE_GET_REGION_INFO, &bad) < 0 && errno == EINVAL,
	       "GET_REGION_INFO of region 99: EINVAL");
	report(ioctl(v->fd, _IO(VFIO_TYPE, VFIO_BASE + 60)) < 0 && errno == ENOTTY,
	       "unknown ioctl: ENOTTY");
}

/* The snapshot's config space, from gvt_base's golden_hw_state (offset 48). */
static void golden_cfg(uint8_t *cfg)
{
	int fd = open("/sys/bus/platform/devices/gvt_base.0/golden_hw_state", O_RDONLY);

	if (fd < 0 || pread(fd, cfg, 4096, 48) != 4096)
		die("golden_hw_state");
	close(fd);
}

static void check_config(struct vgpu *v, uint64_t aperture)
{
	const int c = VFIO_PCI_CONFIG_REGION_INDEX;
	uint8_t golden[4096], all[4096];
	uint32_t bar0, bar2;

	golden_cfg(golden);
	bar0 = *(uint32_t *)(golden + PCI_BASE_ADDRESS_0);
	bar2 = *(uint32_t *)(golden + PCI_BASE_ADDRESS_2);
	report(!rd(v, c, 0, all, sizeof(all)), "config: one 4 KiB read");
	report(!memcmp(all, golden, 4), "config: vendor/device as the snapshot's");
	expect_eq("config: class stays VGA (kvmgt's vGPUs are primary)", cfg16(v, PCI_CLASS_DEVICE), 0x0300);
	expect_eq("config: COMMAND IO/MEM/MASTER cleared", cfg16(v, PCI_COMMAND) & 7, 0);
	report((golden[GMCH_CTRL + 1]) != 0, "snapshot has stolen memory in GMCH_CTRL");
	expect_eq("config: GMCH_CTRL stolen-memory field cleared", all[GMCH_CTRL + 1], 0);
	expect_eq("config: GMCH_CTRL other bits kept", all[GMCH_CTRL], golden[GMCH_CTRL]);
	expect_eq("config: BAR1 (upper half) cleared", cfg32(v, PCI_BASE_ADDRESS_1), 0);
	expect_eq("config: BAR3 cleared", cfg32(v, PCI_BASE_ADDRESS_3), 0);
	expect_eq("config: BAR4 cleared", cfg32(v, PCI_BASE_ADDRESS_4), 0);
	expect_eq("config: BAR5 cleared", cfg32(v, PCI_BASE_ADDRESS_5), 0);
	expect_eq("config: ROM cleared", cfg32(v, PCI_ROM_ADDRESS), 0);
	expect_eq("config: OpRegion pointer cleared", cfg32(v, ASLS), 0);
	expect_eq("config: BAR0 lower half kept", cfg32(v, PCI_BASE_ADDRESS_0), bar0);

	/* Writes: read-only fields stay, COMMAND bits are writable. */
	wrn(v, c, PCI_VENDOR_ID, 0x1234abcd, 4);
	report(!memcmp(&(uint32_t){ (uint32_t)cfg32(v, 0) }, golden, 4), "config: vendor/device read-only");
	wrn(v, c, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
	expect_eq("config: COMMAND written", cfg16(v, PCI_COMMAND) & 7, 7);
	wrn(v, c, PCI_STATUS, 0, 2);
	expect_eq("config: STATUS capability bit read-only", cfg16(v, PCI_STATUS) & PCI_STATUS_CAP_LIST,
		  PCI_STATUS_CAP_LIST);
	wrn(v, c, PCI_CLASS_REVISION, 0, 4);
	expect_eq("config: class read-only", cfg16(v, PCI_CLASS_DEVICE), 0x0300);

	/* BAR sizing: all-ones reads back the size mask and the flag bits. */
	wrn(v, c, PCI_BASE_ADDRESS_0, 0xffffffff, 4);
	expect_eq("config: BAR0 sizing (16 MiB, 64-bit)", cfg32(v, PCI_BASE_ADDRESS_0),
		  (uint32_t)~(16 * MIB - 1) | (bar0 & 0xf));
	wrn(v, c, PCI_BASE_ADDRESS_1, 0xffffffff, 4);
	expect_eq("config: BAR1 sizing (upper half)", cfg32(v, PCI_BASE_ADDRESS_1), 0xffffffff);
	wrn(v, c, PCI_BASE_ADDRESS_2, 0xffffffff, 4);
	expect_eq("config: BAR2 sizing (aperture, 64-bit prefetchable)", cfg32(v, PCI_BASE_ADDRESS_2),
		  (uint32_t)~(aperture - 1) | (bar2 & 0xf));
	wrn(v, c, PCI_BASE_ADDRESS_4, 0xffffffff, 4);
	expect_eq("config: BAR4 not implemented", cfg32(v, PCI_BASE_ADDRESS_4), 0);
	wrn(v, c, PCI_ROM_ADDRESS, 0xffffffff, 4);
	expect_eq("config: no ROM", cfg32(v, PCI_ROM_ADDRESS), 0);
	wrn(v, c, PCI_BASE_ADDRESS_0, 0xe1234567, 4);
	expect_eq("config: BAR0 address write keeps alignment and flags", cfg32(v, PCI_BASE_ADDRESS_0),
		  0xe1000000 | (bar0 & 0xf));
	wrn(v, c, PCI_BASE_ADDRESS_1, 0x12, 4);
	expect_eq("config: BAR1 address write", cfg32(v, PCI_BASE_ADDRESS_1), 0x12);
	wrn(v, c, PCI_INTERRUPT_LINE, 0x0b, 1);
	expect_eq("config: interrupt line writable", rdn(v, c, PCI_INTERRUPT_LINE, 1), 0x0b);
	report(rd(v, c, 4095, all, 2) == -EINVAL, "config: read past the end: EINVAL");

	/* ASLS: the guest's firmware writes where it put the OpRegion (kvmgt's rules). */
	wrn(v, c, ASLS, ASLS_GPA, 4);
	expect_eq("config: ASLS stores the guest physical address", cfg32(v, ASLS), ASLS_GPA);
	report(wr(v, c, ASLS + 1, &(uint8_t){ 0x55 }, 1) == -EINVAL,
	       "config: ASLS write starting at 0xfd: EINVAL");
	report(wr(v, c, ASLS + 2, &(uint16_t){ 0x5555 }, 2) == -EINVAL,
	       "config: ASLS write starting at 0xfe: EINVAL");
	expect_eq("config: ASLS unchanged by the refused writes", cfg32(v, ASLS), ASLS_GPA);
	wrn(v, c, ASLS, 0x34, 1);
	expect_eq("config: ASLS byte write at 0xfc", cfg32(v, ASLS), (ASLS_GPA & ~0xffu) | 0x34);
	wrn(v, c, ASLS, ASLS_GPA, 4);
}

struct pvinfo {
	uint32_t id, map_base, map_size, hid_base, hid_size, fences;
};

static void read_pvinfo(struct vgpu *v, struct pvinfo *pv)
{
	pv->id = mmio32(v, PV_VGT_ID);
	pv->map_base = mmio32(v, PV_MAPPABLE);
	pv->map_size = mmio32(v, PV_MAPPABLE + 4);
	pv->hid_base = mmio32(v, PV_NONMAPPABLE);
	pv->hid_size = mmio32(v, PV_NONMAPPABLE + 4);
	pv->fences = mmio32(v, PV_FENCE_NUM);
}

static bool overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static void check_pvinfo(struct vgpu *v, struct vgpu *other, uint64_t aperture, struct pvinfo *pv)
{
	const struct type_row *t = vgpu_type(v->uuid);
	struct pvinfo po;

	expect_eq("PVINFO magic (8-byte read)", mmio64(v, PVINFO), PV_MAGIC);
	expect_eq("PVINFO magic low dword", mmio32(v, PVINFO), (uint32_t)PV_MAGIC);
	expect_eq("PVINFO magic byte 7", rdn(v, VFIO_PCI_BAR0_REGION_INDEX, PVINFO + 7, 1), 0x47);
	expect_eq("PVINFO magic word 3", rdn(v, VFIO_PCI_BAR0_REGION_INDEX, PVINFO + 6, 2), 0x4776);
	expect_eq("PVINFO version major", rdn(v, VFIO_PCI_BAR0_REGION_INDEX, PV_VERSION_MAJOR, 2), 1);
	expect_eq("PVINFO version minor", rdn(v, VFIO_PCI_BAR0_REGION_INDEX, PV_VERSION_MINOR, 2), 0);
	expect_eq("PVINFO caps", mmio32(v, PV_CAPS), PV_CAPS_EXPECTED);
	read_pvinfo(v, pv);
	expect_eq("PVINFO vgt_id = intel_vgpu/vgpu_id", pv->id,
		  atoi(sysfs_read(v->uuid, "intel_vgpu/vgpu_id")));
	expect_eq("PVINFO mappable size = type's aperture", pv->map_size, t->low_mb * MIB);
	expect_eq("PVINFO non-mappable size = type's hidden", pv->hid_size, t->high_mb * MIB);
	expect_eq("PVINFO fence_num = type's fences", pv->fences, t->fences);
	report(pv->map_base >= HOST_LOW_MB * MIB && pv->map_base + (uint64_t)pv->map_size <= aperture,
	       "PVINFO mappable range in the aperture, outside the host's 128 MiB");
	report(pv->hid_base >= aperture + HOST_HIGH_MB * MIB &&
	       pv->hid_base + (uint64_t)pv->hid_size <= GGTT_MB * MIB,
	       "PVINFO non-mappable range in hidden GM, outside the host's 384 MiB");
	expect_eq("PVINFO cursor_x_hot", mmio32(v, PV_CURSOR_X_HOT), 0xffffffff);

	read_pvinfo(other, &po);
	report(po.id != pv->id, "second vGPU: other vgt_id");
	report(!overlap(pv->map_base, pv->map_size, po.map_base, po.map_size),
	       "second vGPU: aperture ranges do not overlap");
	report(!overlap(pv->hid_base, pv->hid_size, po.hid_base, po.hid_size),
	       "second vGPU: hidden ranges do not overlap");
}

static void check_mmio(struct vgpu *v, struct vgpu *other)
{
	const int b = VFIO_PCI_BAR0_REGION_INDEX;
	struct vfio_region_info *info = region_info(v, b);
	uint8_t buf[16];

	expect_eq("BAR0 region size", info->size, 16 * MIB);
	report(info->flags == (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE),
	       "BAR0 region readable and writable, no mmap");
	free(info);

	expect_eq("HWSTAM from the snapshot", mmio32(v, RENDER_HWSTAM), 0xffffffff);
	wrn(v, b, RENDER_HWSTAM, 0x12345678, 4);
	expect_eq("register written", mmio32(v, RENDER_HWSTAM), 0x12345678);
	expect_eq("... only in this vGPU", mmio32(other, RENDER_HWSTAM), 0xffffffff);
	wrn(v, b, RENDER_HWSTAM, 0xab, 1);
	expect_eq("1-byte write", mmio32(v, RENDER_HWSTAM), 0x123456ab);
	wrn(v, b, RENDER_HWSTAM + 2, 0xcdef, 2);
	expect_eq("2-byte write", mmio32(v, RENDER_HWSTAM), 0xcdef56ab);
	wrn(v, b, 0x2100, 0x1122334455667788ULL, 8);
	expect_eq("8-byte write", mmio64(v, 0x2100), 0x1122334455667788ULL);

	wrn(v, b, PVINFO, 0, 8);
	expect_eq("PVINFO magic not writable", mmio64(v, PVINFO), PV_MAGIC);
	wrn(v, b, PV_DISPLAY_READY, 1, 4);
	expect_eq("PVINFO display_ready writable", mmio32(v, PV_DISPLAY_READY), 1);

	report(rd(v, b, PVINFO + 2, buf, 4) == -EINVAL, "misaligned 4-byte read: EINVAL");
	report(wr(v, b, PVINFO + 4, buf, 8) == -EINVAL, "misaligned 8-byte write: EINVAL");
	report(rd(v, b, PVINFO, buf, 3) == -EINVAL, "3-byte read: EINVAL");
	report(rd(v, b, PVINFO, buf, 16) == -EINVAL, "16-byte read: EINVAL");
	report(rd(v, b, 16 * MIB, buf, 4) == -EINVAL, "read past BAR0: EINVAL");
	report(wr(v, b, 16 * MIB - 4, buf, 8) == -EINVAL, "write across BAR0's end: EINVAL");
	report(rd(v, b, 4 * MIB, buf, 4) == -EINVAL, "read between MMIO and GTT: EINVAL");

	expect_eq("GTT entry never written reads 0", mmio64(v, GTT_OFFSET + 0x2000), 0);
	wrn(v, b, GTT_OFFSET + 0x1000, 0xfedcba9876543001ULL, 8);
	expect_eq("GTT entry reads back", mmio64(v, GTT_OFFSET + 0x1000), 0xfedcba9876543001ULL);
	wrn(v, b, 16 * MIB - 8, 0x42, 8);
	expect_eq("last GTT entry reads back", mmio64(v, 16 * MIB - 8), 0x42);
}

/*
 * Registers a guest's i915 writes and then polls for the hardware's answer
 * (i915_reg.h semantics; kvmgt's handlers.c answers them likewise).
 */
static void check_answers(struct vgpu *v)
{
	const int b = VFIO_PCI_BAR0_REGION_INDEX;

	/* Render RESET_CTL (0x20d0), masked: request (bit 0) gets ready (bit 1). */
	wrn(v, b, 0x20d0, 0x00010001, 4);
	expect_eq("RESET_CTL: request answered ready", mmio32(v, 0x20d0), 0x3);
	wrn(v, b, 0x20d0, 0x00010000, 4);
	expect_eq("RESET_CTL: request withdrawn, not ready", mmio32(v, 0x20d0), 0);
	/* MI_MODE (0x209c), masked: STOP_RING (bit 8) set, idle (bit 9) kept. */
	wrn(v, b, 0x209c, 0x01000100, 4);
	expect_eq("MI_MODE: masked write keeps idle", mmio32(v, 0x209c), 0x300);
	wrn(v, b, 0x941c, 0x3, 4);
	expect_eq("GDRST: reset over at once", mmio32(v, 0x941c), 0);
	/* GT IIR 0 (0x44308), write one to clear: set bits cannot be written. */
	wrn(v, b, 0x44308, 0xffffffff, 4);
	expect_eq("GT IIR: write one to clear", mmio32(v, 0x44308), 0);
	/* pcode mailbox (0x138124): CDCLK prepare (cmd 7) answers ready (data bit 0). */
	wrn(v, b, 0x138128, 0x2, 4);
	wrn(v, b, 0x138124, 0x80000007, 4);
	expect_eq("pcode: request done, no error", mmio32(v, 0x138124), 0);
	expect_eq("pcode: CDCLK ready for change", mmio32(v, 0x138128) & 1, 1);
	wrn(v, b, 0x138124, 0x80000021, 4);
	expect_eq("pcode: SAGV control is an illegal command", mmio32(v, 0x138124), 1);
	/* Power well 1 (request bit 29 in the driver's 0x45404): state bit 28, in all four. */
	wrn(v, b, 0x45404, 1u << 29, 4);
	expect_eq("power well: state follows the driver's request", mmio32(v, 0x45404), 3u << 28);
	expect_eq("... shown in the BIOS register too", mmio32(v, 0x45400), 1u << 28);
	wrn(v, b, 0x45404, 0, 4);
	expect_eq("power well: off when nobody asks", mmio32(v, 0x45404), 0);
	wrn(v, b, 0x45008, 1u << 31, 4);
	expect_eq("DBUF: power state follows request", mmio32(v, 0x45008), 3u << 30);
	wrn(v, b, 0x46014, 1u << 31, 4);
	expect_eq("LCPLL2: locks when enabled", mmio32(v, 0x46014), 3u << 30);
	wrn(v, b, 0x46014, 0, 4);
	expect_eq("LCPLL2: unlocked when disabled", mmio32(v, 0x46014), 0);
	expect_eq("LCPLL1 (DPLL0) running as firmware leaves it", mmio32(v, 0x46010), 3u << 30);
	expect_eq("fuses distributed (download, PG0-2)", mmio32(v, 0x42000), 0x8e000000);
	/* AUX B (0x64110): a transfer ends at once in a timeout; status is write one to clear. */
	wrn(v, b, 0x64110, 0x80000000 | 0x3f, 4);
	expect_eq("AUX: no sink, done with timeout", mmio32(v, 0x64110), 0x5000003f);
	wrn(v, b, 0x64110, 0x50000000, 4);
	expect_eq("AUX: status cleared", mmio32(v, 0x64110), 0);
}

static void check_reset(struct vgpu *v, const struct pvinfo *pv)
{
	struct pvinfo after;

	report(!ioctl(v->fd, VFIO_DEVICE_RESET), "VFIO_DEVICE_RESET");
	expect_eq("reset: register restored", mmio32(v, RENDER_HWSTAM), 0xffffffff);
	expect_eq("reset: display_ready 0 again", mmio32(v, PV_DISPLAY_READY), 0);
	expect_eq("reset: GTT cleared", mmio64(v, GTT_OFFSET + 0x1000), 0);
	expect_eq("reset: COMMAND cleared", cfg16(v, PCI_COMMAND) & 7, 0);
	expect_eq("reset: BAR1 cleared", cfg32(v, PCI_BASE_ADDRESS_1), 0);
	expect_eq("reset: ASLS back to 0", cfg32(v, ASLS), 0);
	expect_eq("reset: PVINFO magic", mmio64(v, PVINFO), PV_MAGIC);
	read_pvinfo(v, &after);
	report(!memcmp(&after, pv, sizeof(after)), "reset: PVINFO refilled with the same allocation");
}

static void check_aperture(struct vgpu *v, const struct pvinfo *pv, uint64_t aperture)
{
	const int a = VFIO_PCI_BAR2_REGION_INDEX;
	struct vfio_region_info *info = region_info(v, a);
	struct vfio_region_info_cap_sparse_mmap *sparse;
	uint64_t base = pv->map_base, size = pv->map_size;
	uint32_t val = 0, w;
	uint8_t *map;

	expect_eq("BAR2 region size = host aperture", info->size, aperture);
	report((info->flags & (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
			       VFIO_REGION_INFO_FLAG_MMAP)) ==
	       (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE | VFIO_REGION_INFO_FLAG_MMAP),
	       "BAR2 readable, writable, mmap-able");
	sparse = (void *)region_cap(info, VFIO_REGION_INFO_CAP_SPARSE_MMAP);
	report(sparse && sparse->nr_areas == 1, "BAR2 sparse-mmap capability with one area");
	if (sparse && sparse->nr_areas == 1) {
		expect_eq("sparse area offset = PVINFO mappable base", sparse->areas[0].offset, base);
		expect_eq("sparse area size = PVINFO mappable size", sparse->areas[0].size, size);
	}
	free(info);

	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, REGION_OFFSET(a) + base);
	report(map != MAP_FAILED, "mmap of the slice");
	if (map == MAP_FAILED)
		return;
	expect_eq("mapped aperture starts zeroed", *(uint32_t *)map, 0);
	*(uint32_t *)(map + 0x40) = 0xa5a5f00d;
	*(uint32_t *)(map + size - 4) = 0x5a5a0ff1;
	expect_eq("written through the mapping, read through the region",
		  rdn(v, a, base + 0x40, 4), 0xa5a5f00d);
	expect_eq("... at the slice's end", rdn(v, a, base + size - 4, 4), 0x5a5a0ff1);
	w = 0x600dcafe;
	wr(v, a, base + 0x10000, &w, 4);
	expect_eq("written through the region, read through the mapping",
		  *(uint32_t *)(map + 0x10000), 0x600dcafe);
	munmap(map, size);

	report(rd(v, a, base - 4, &val, 4) == -EINVAL, "aperture read below the slice: EINVAL");
	report(rd(v, a, base + size - 2, &val, 4) == -EINVAL, "aperture read across the slice end: EINVAL");
	map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, v->fd, REGION_OFFSET(a) + base + size);
	report(map == MAP_FAILED && errno == EINVAL, "mmap outside the slice: EINVAL");
	map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, v->fd, REGION_OFFSET(VFIO_PCI_BAR0_REGION_INDEX));
	report(map == MAP_FAILED, "mmap of BAR0 refused");
}

/* An EDID block's bytes sum to 0 mod 256. */
static bool edid_block_ok(const uint8_t *b)
{
	static const uint8_t header[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
	uint8_t sum = 0;
	int i;

	for (i = 0; i < 128; i++)
		sum += b[i];
	return !sum && !memcmp(b, header, sizeof(header));
}

static void check_edid(struct vgpu *v)
{
	const struct type_row *t = vgpu_type(v->uuid);
	struct vfio_region_gfx_edid regs;
	struct vfio_region_info *info;
	struct vfio_region_info_cap_type *type = NULL;
	unsigned int index, hres, vres, i;
	uint8_t blob[128], mine[128], sum = 0;
	uint32_t val;

	for (index = VFIO_PCI_NUM_REGIONS; index < VFIO_PCI_NUM_REGIONS + 1; index++) {
		info = region_info(v, index);
		type = (void *)region_cap(info, VFIO_REGION_INFO_CAP_TYPE);
		if (type && type->type == VFIO_REGION_TYPE_GFX &&
		    type->subtype == VFIO_REGION_SUBTYPE_GFX_EDID)
			break;
		free(info);
		type = NULL;
	}
	report(type != NULL, "EDID region (type GFX, subtype GFX_EDID)");
	if (!type)
		return;
	free(info);

	report(!rd(v, index, 0, &regs.edid_offset, 4) && !rd(v, index, 4, &regs.edid_max_size, 4) &&
	       !rd(v, index, 8, &regs.edid_size, 4) && !rd(v, index, 12, &regs.max_xres, 4) &&
	       !rd(v, index, 16, &regs.max_yres, 4) && !rd(v, index, 20, &regs.link_state, 4),
	       "EDID registers read");
	expect_eq("EDID max_xres = type's", regs.max_xres, t->xres);
	expect_eq("EDID max_yres = type's", regs.max_yres, t->yres);
	expect_eq("EDID link up", regs.link_state, VFIO_DEVICE_GFX_LINK_STATE_UP);
	expect_eq("EDID size one block", regs.edid_size, 128);
	report(!rd(v, index, regs.edid_offset, blob, sizeof(blob)), "EDID blob read");
	report(edid_block_ok(blob), "EDID header and checksum");
	hres = blob[56] | (blob[58] >> 4) << 8;
	vres = blob[59] | (blob[61] >> 4) << 8;
	expect_eq("EDID preferred mode width", hres, t->xres);
	expect_eq("EDID preferred mode height", vres, t->yres);

	/* A blob of our own: another product code, checksum fixed. */
	memcpy(mine, blob, sizeof(mine));
	mine[10] = 0x42;
	for (i = 0; i < 127; i++)
		sum += mine[i];
	mine[127] = -sum;
	val = VFIO_DEVICE_GFX_LINK_STATE_DOWN;
	report(!wr(v, index, 20, &val, 4), "EDID link down");
	report(!wr(v, index, regs.edid_offset, mine, sizeof(mine)), "EDID blob written");
	val = VFIO_DEVICE_GFX_LINK_STATE_UP;
	report(!wr(v, index, 20, &val, 4), "EDID link up with a valid blob");
	expect_eq("EDID blob reads back", rdn(v, index, regs.edid_offset + 10, 1), 0x42);

	mine[127] ^= 1;
	wr(v, index, regs.edid_offset, mine, sizeof(mine));
	report(wr(v, index, 20, &val, 4) == -EINVAL, "EDID link up with a bad checksum: EINVAL");
	val = 100;
	report(!wr(v, index, 8, &val, 4), "EDID size 100 accepted as a size");
	val = VFIO_DEVICE_GFX_LINK_STATE_UP;
	report(wr(v, index, 20, &val, 4) == -EINVAL, "EDID link up with a partial block: EINVAL");
	val = regs.edid_max_size + 128;
	report(wr(v, index, 8, &val, 4) == -EINVAL, "EDID size beyond edid_max_size: EINVAL");
	val = 640;
	report(wr(v, index, 12, &val, 4) == -EPERM, "EDID max_xres read-only: EPERM");
	val = 7;
	report(wr(v, index, 20, &val, 4) == -EINVAL, "EDID unknown link state: EINVAL");
	mine[127] ^= 1;
	wr(v, index, regs.edid_offset, mine, sizeof(mine));
	val = 128;
	wr(v, index, 8, &val, 4);
	val = VFIO_DEVICE_GFX_LINK_STATE_UP;
	report(!wr(v, index, 20, &val, 4), "EDID restored");
}

static uint32_t le16_at(const uint8_t *p) { return p[0] | p[1] << 8; }
static uint32_t le32_at(const uint8_t *p) { return le16_at(p) | (uint32_t)le16_at(p + 2) << 16; }

/* The device-specific region whose type capability is type/subtype, or -1. */
static int find_region(struct vgpu *v, uint32_t type, uint32_t subtype)
{
	struct vfio_device_info dev = { .argsz = sizeof(dev) };
	struct vfio_region_info_cap_type *cap;
	struct vfio_region_info *info;
	unsigned int index;
	bool match;

	if (ioctl(v->fd, VFIO_DEVICE_GET_INFO, &dev))
		die("VFIO_DEVICE_GET_INFO");
	for (index = VFIO_PCI_NUM_REGIONS; index < dev.num_regions; index++) {
		info = region_info(v, index);
		cap = (void *)region_cap(info, VFIO_REGION_INFO_CAP_TYPE);
		match = cap && cap->type == type && cap->subtype == subtype;
		free(info);
		if (match)
			return index;
	}
	return -1;
}

/*
 * kvmgt's virtual OpRegion: the header, the lid open, mailbox 4 holding a
 * VBT whose BDB has general features, general definitions with four DP
 * ports A-D, and driver features; the BDB walked as i915 walks it.
 */
static void check_opregion(struct vgpu *v, struct vgpu *other)
{
	static const struct { uint16_t handle; uint8_t port, aux; } ports[4] = {
		{ 0x04, 10, 0x40 }, { 0x40, 7, 0x10 }, { 0x20, 8, 0x20 }, { 0x10, 9, 0x30 },
	};
	static const uint8_t want_ids[3] = { 1, 2, 12 };
	static const uint16_t want_sizes[3] = { 5, 5 + 4 * BDB_CHILD_SIZE, 19 };
	uint8_t opr[OPREGION_SIZE], again[OPREGION_SIZE], *vbt = opr + OPR_VBT, *bdb, *blk, *child;
	struct vfio_region_info *info;
	uint32_t off, bdb_size, i, n = 0, zero = 0;
	int index;

	index = find_region(v, VFIO_REGION_TYPE_PCI_VENDOR_TYPE | 0x8086,
			    VFIO_REGION_SUBTYPE_INTEL_IGD_OPREGION);
	report(index >= 0, "OpRegion region (type PCI vendor 8086, subtype IGD_OPREGION)");
	if (index < 0)
		return;
	expect_eq("OpRegion region index (after EDID)", index, VFIO_PCI_NUM_REGIONS + 1);
	info = region_info(v, index);
	expect_eq("OpRegion size 8 KiB", info->size, OPREGION_SIZE);
	expect_eq("OpRegion flags: read only (no write, no mmap)",
		  info->flags & ~VFIO_REGION_INFO_FLAG_CAPS, VFIO_REGION_INFO_FLAG_READ);
	expect_eq("OpRegion offset index << 40", info->offset, REGION_OFFSET(index));
	free(info);

	/* One read of the whole region, as QEMU's x-igd-opregion makes it. */
	report(!rd(v, index, 0, opr, sizeof(opr)), "OpRegion: one 8 KiB read");
	report(!memcmp(opr, "IntelGraphicsMem", 16), "OpRegion signature IntelGraphicsMem");
	expect_eq("OpRegion size field (KiB)", le32_at(opr + OPR_SIZE_KIB), 8);
	expect_eq("OpRegion version 2.0", le32_at(opr + OPR_VERSION), 0x02000000);
	expect_eq("OpRegion mailboxes: VBT only", le32_at(opr + OPR_MBOXES), OPR_MBOX_VBT);
	expect_eq("OpRegion lid open (kvmgt's CLID fix)", opr[OPR_CLID], 3);

	report(!memcmp(vbt, "$VBT", 4), "VBT signature $VBT at mailbox 4 (0x400)");
	expect_eq("VBT version", le16_at(vbt + 20), 155);
	expect_eq("VBT header size", le16_at(vbt + 22), VBT_HEADER_SIZE);
	expect_eq("VBT size", le16_at(vbt + 24), VBT_SIZE);
	expect_eq("VBT bdb_offset", le32_at(vbt + 28), VBT_HEADER_SIZE);
	bdb = vbt + VBT_HEADER_SIZE;
	report(!memcmp(bdb, "BIOS_DATA_BLOCK", 16), "BDB signature BIOS_DATA_BLOCK");
	expect_eq("BDB version 186", le16_at(bdb + 16), 186);
	expect_eq("BDB header size", le16_at(bdb + 18), BDB_HEADER_SIZE);
	bdb_size = le16_at(bdb + 20);
	expect_eq("BDB size = VBT size - VBT header", bdb_size, VBT_SIZE - VBT_HEADER_SIZE);

	for (off = BDB_HEADER_SIZE; off + 3 <= bdb_size && n < 3; n++) {
		blk = bdb + off;
		expect_eq("BDB block id", blk[0], want_ids[n]);
		expect_eq("BDB block size", le16_at(blk + 1), want_sizes[n]);
		if (blk[0] == 2) {
			expect_eq("general definitions: child device size", blk[3 + 4], BDB_CHILD_SIZE);
			for (i = 0; i < 4; i++) {
				child = blk + 3 + 5 + i * BDB_CHILD_SIZE;
				expect_eq("child: handle", le16_at(child), ports[i].handle);
				expect_eq("child: device type DisplayPort", le16_at(child + 2), 0x68c6);
				expect_eq("child: DVO port", child[16], ports[i].port);
				expect_eq("child: DP supported", child[24], 1 << 1);
				expect_eq("child: AUX channel", child[25], ports[i].aux);
				expect_eq("child: integrated encoder", child[27], 1 << 5);
			}
		}
		off += 3 + le16_at(blk + 1);
	}
	expect_eq("BDB blocks", n, 3);
	expect_eq("BDB blocks fill bdb_size exactly", off, bdb_size);
	for (i = OPR_VBT + VBT_SIZE; i < OPREGION_SIZE; i++)
		zero |= opr[i];
	expect_eq("OpRegion after the VBT is 0", zero, 0);

	report(wr(v, index, 0, "X", 1) == -EINVAL, "OpRegion write: EINVAL (read-only)");
	report(wr(v, index, OPR_VBT, opr, 64) == -EINVAL, "OpRegion 64-byte write: EINVAL");
	report(rd(v, index, OPREGION_SIZE - 2, again, 4) == -EINVAL, "OpRegion read across the end: EINVAL");
	report(rd(v, index, OPREGION_SIZE, again, 1) == -EINVAL, "OpRegion read past the end: EINVAL");
	report(!rd(v, index, 0, again, sizeof(again)) && !memcmp(opr, again, sizeof(opr)),
	       "OpRegion unchanged after the refused writes");
	report(!rd(other, index, 0, again, sizeof(again)) && !memcmp(opr, again, sizeof(opr)),
	       "second vGPU: the same OpRegion");
}

static int set_irq(struct vgpu *v, unsigned int index, uint32_t flags, int32_t fd)
{
	return vfio_irq_set(v->fd, index, flags, (flags & VFIO_IRQ_SET_DATA_NONE) && fd < 0 ? 0 : 1, fd);
}

/* SET_IRQS with a count of 0 and no payload, whatever the data type says. */
static int set_irq_empty(struct vgpu *v, unsigned int index, uint32_t flags)
{
	struct vfio_irq_set set = { .argsz = sizeof(set), .flags = flags, .index = index };

	return ioctl(v->fd, VFIO_DEVICE_SET_IRQS, &set) ? -errno : 0;
}

/*
 * vfio-pci takes a count of 0 only for a trigger without data (it
 * disables); with a bool or an eventfd there is no payload to read.
 */
static void check_irqs_empty(struct vgpu *v)
{
	static const uint32_t actions[] = {
		VFIO_IRQ_SET_ACTION_MASK, VFIO_IRQ_SET_ACTION_UNMASK, VFIO_IRQ_SET_ACTION_TRIGGER,
	};
	static const uint32_t data[] = { VFIO_IRQ_SET_DATA_BOOL, VFIO_IRQ_SET_DATA_EVENTFD };
	unsigned int index, a, d;
	int refused = 0, tried = 0;

	for (index = VFIO_PCI_INTX_IRQ_INDEX; index <= VFIO_PCI_REQ_IRQ_INDEX; index++) {
		if (index == VFIO_PCI_MSIX_IRQ_INDEX || index == VFIO_PCI_ERR_IRQ_INDEX)
			continue;
		for (a = 0; a < sizeof(actions) / sizeof(actions[0]); a++)
			for (d = 0; d < sizeof(data) / sizeof(data[0]); d++) {
				tried++;
				refused += set_irq_empty(v, index, actions[a] | data[d]) == -EINVAL;
			}
	}
	report(refused == tried, "SET_IRQS, count 0 with bool or eventfd data: EINVAL (%d of %d)",
	       refused, tried);
	report(!set_irq_empty(v, VFIO_PCI_MSI_IRQ_INDEX, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER),
	       "SET_IRQS, count 0 trigger without data: disables");
}

/* Did efd fire within ms?  Consumes the count. */
static bool fired(int efd, int ms)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	uint64_t n;

	if (poll(&p, 1, ms) != 1)
		return false;
	return read(efd, &n, sizeof(n)) == sizeof(n) && n > 0;
}

static void check_irqs(struct vgpu *v)
{
	const int b = VFIO_PCI_BAR0_REGION_INDEX;
	struct vfio_irq_info info = { .argsz = sizeof(info) };
	int efd = eventfd(0, EFD_NONBLOCK);
	const uint32_t eventfd_trigger = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;

	info.index = VFIO_PCI_INTX_IRQ_INDEX;
	ioctl(v->fd, VFIO_DEVICE_GET_IRQ_INFO, &info);
	expect_eq("INTx count", info.count, 1);
	expect_eq("INTx flags", info.flags,
		  VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED);
	info.index = VFIO_PCI_MSI_IRQ_INDEX;
	ioctl(v->fd, VFIO_DEVICE_GET_IRQ_INFO, &info);
	expect_eq("MSI count", info.count, 1);
	report(info.flags & VFIO_IRQ_INFO_EVENTFD, "MSI takes an eventfd");
	info.index = VFIO_PCI_MSIX_IRQ_INDEX;
	ioctl(v->fd, VFIO_DEVICE_GET_IRQ_INFO, &info);
	expect_eq("MSI-X count", info.count, 0);
	info.index = VFIO_PCI_REQ_IRQ_INDEX;
	ioctl(v->fd, VFIO_DEVICE_GET_IRQ_INFO, &info);
	expect_eq("request IRQ count", info.count, 1);
	info.index = VFIO_PCI_NUM_IRQS;
	report(ioctl(v->fd, VFIO_DEVICE_GET_IRQ_INFO, &info) < 0 && errno == EINVAL,
	       "IRQ index out of range: EINVAL");
	report(set_irq(v, VFIO_PCI_MSIX_IRQ_INDEX, eventfd_trigger, efd) == -EINVAL,
	       "SET_IRQS on MSI-X: EINVAL");

	report(!set_irq(v, VFIO_PCI_MSI_IRQ_INDEX, eventfd_trigger, efd), "MSI eventfd set");
	report(!fired(efd, 0), "no interrupt before the doorbell");
	wrn(v, b, PV_G2V_NOTIFY, G2V_RAISE_IRQ, 4);
	report(fired(efd, 2000), "MSI received after the g2v_notify doorbell");
	wrn(v, b, PV_G2V_NOTIFY, 2, 4);
	report(!fired(efd, 100), "other g2v notifications raise nothing");
	report(!set_irq(v, VFIO_PCI_MSI_IRQ_INDEX, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, -1),
	       "MSI disabled");

	report(!set_irq(v, VFIO_PCI_INTX_IRQ_INDEX, eventfd_trigger, efd), "INTx eventfd set");
	wrn(v, b, PV_G2V_NOTIFY, G2V_RAISE_IRQ, 4);
	report(fired(efd, 2000), "INTx received");
	wrn(v, b, PV_G2V_NOTIFY, G2V_RAISE_IRQ, 4);
	report(!fired(efd, 100), "INTx masked after delivery");
	report(!set_irq(v, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK, 0),
	       "INTx unmask");
	wrn(v, b, PV_G2V_NOTIFY, G2V_RAISE_IRQ, 4);
	report(fired(efd, 2000), "INTx received after unmask");
	report(!set_irq(v, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK, 0) &&
	       !set_irq(v, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, 0),
	       "INTx loopback trigger");
	report(fired(efd, 2000), "INTx loopback received");
	close(efd);
	check_irqs_empty(v);
}

static int cmd_device(const char *uuid, const char *other_uuid)
{
	struct vgpu v, other;
	struct vfio_region_info *bar2;
	struct pvinfo pv;
	uint64_t aperture;

	vgpu_open(&v, uuid);
	vgpu_open(&other, other_uuid);
	bar2 = region_info(&v, VFIO_PCI_BAR2_REGION_INDEX);
	aperture = bar2->size;
	free(bar2);

	check_info(&v);
	check_config(&v, aperture);
	check_pvinfo(&v, &other, aperture, &pv);
	check_mmio(&v, &other);
	check_answers(&v);
	check_reset(&v, &pv);
	check_aperture(&v, &pv, aperture);
	check_edid(&v);
	check_opregion(&v, &other);
	check_irqs(&v);
	vgpu_close(&other);
	vgpu_close(&v);
	return fails ? 1 : 0;
}

static int cmd_session(const char *uuid)
{
	uint8_t buf[4];
	struct vgpu v;
	int i;

	vgpu_open(&v, uuid);
	for (i = 0; i < 3; i++)
		rd(&v, VFIO_PCI_CONFIG_REGION_INDEX, 0, buf, 4);
	for (i = 0; i < 2; i++)
		wrn(&v, VFIO_PCI_CONFIG_REGION_INDEX, PCI_COMMAND, 0, 2);
	for (i = 0; i < 5; i++)
		mmio32(&v, PVINFO);
	for (i = 0; i < 4; i++)
		wrn(&v, VFIO_PCI_BAR0_REGION_INDEX, RENDER_HWSTAM, i, 4);
	report(!ioctl(v.fd, VFIO_DEVICE_RESET), "session: reset");
	vgpu_close(&v);
	return fails ? 1 : 0;
}

/* Hold the vGPU open, as a VMM would, until killed: prints "open PID" once it is. */
static int cmd_hold(const char *uuid)
{
	struct vgpu v;

	vgpu_open(&v, uuid);
	printf("open %d\n", (int)getpid());
	fflush(stdout);
	for (;;)
		pause();
	return 0;
}

static int cmd_fill(const char *uuid)
{
	struct vgpu v;
	struct pvinfo pv;
	uint8_t *map;
	uint64_t off;

	vgpu_open(&v, uuid);
	read_pvinfo(&v, &pv);
	map = mmap(NULL, pv.map_size, PROT_READ | PROT_WRITE, MAP_SHARED, v.fd,
		   REGION_OFFSET(VFIO_PCI_BAR2_REGION_INDEX) + pv.map_base);
	if (map == MAP_FAILED)
		die("mmap");
	for (off = 0; off < pv.map_size; off += 4096)
		map[off] = 1;
	munmap(map, pv.map_size);
	vgpu_close(&v);
	return 0;
}

struct remover {
	char path[PATH_MAX];
	int ret;
};

static void *remove_thread(void *arg)
{
	struct remover *r = arg;

	r->ret = sysfs_write(r->path, "1");
	return NULL;
}

static int cmd_request(const char *uuid)
{
	struct remover r = { .ret = 1 };
	int efd = eventfd(0, EFD_NONBLOCK);
	pthread_t th;
	struct vgpu v;

	vgpu_open(&v, uuid);
	report(!set_irq(&v, VFIO_PCI_REQ_IRQ_INDEX,
			VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, efd),
	       "request eventfd set");
	snprintf(r.path, sizeof(r.path), "/sys/bus/mdev/devices/%s/remove", uuid);
	pthread_create(&th, NULL, remove_thread, &r);
	report(fired(efd, 10000), "remove of an open vGPU: request eventfd fired");
	report(r.ret == 1, "remove still waiting while the device is open");
	vgpu_close(&v);
	pthread_join(th, NULL);
	report(r.ret == 0, "remove finished once closed");
	report(access(r.path, F_OK) != 0, "vGPU gone");
	close(efd);
	return fails ? 1 : 0;
}

struct hammer {
	const char *uuid;
	long reads, writes;
	int errors;
};

static volatile int churning;

/* Until the churn is over, and at least 1000 rounds. */
static void *hammer_thread(void *arg)
{
	struct hammer *h = arg;
	struct vgpu v;
	uint32_t val;
	long i;

	vgpu_open(&v, h->uuid);
	for (i = 0; i < 1000 || __atomic_load_n(&churning, __ATOMIC_SEQ_CST); i++) {
		val = i;
		if (wr(&v, VFIO_PCI_BAR0_REGION_INDEX, 0x2100, &val, 4))
			h->errors++;
		else
			h->writes++;
		if (rd(&v, VFIO_PCI_BAR0_REGION_INDEX, 0x2100, &val, 4))
			h->errors++;
		else
			h->reads++;
		if (val != (uint32_t)i)
			h->errors++;
	}
	vgpu_close(&v);
	return NULL;
}

static int cmd_hammer(const char *u1, const char *u2, long cycles, const char *typedir)
{
	struct hammer h[2] = { { .uuid = u1 }, { .uuid = u2 } };
	char path[PATH_MAX], uuid[64], rm[PATH_MAX];
	long done = 0, errors = 0;
	pthread_t th[2];
	int i, fd;

	churning = 1;
	for (i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, hammer_thread, &h[i]);
	snprintf(path, sizeof(path), "%s/create", typedir);
	for (done = 0; done < cycles; done++) {
		fd = open("/proc/sys/kernel/random/uuid", O_RDONLY);
		if (fd < 0 || read(fd, uuid, 36) != 36)
			die("uuid");
		close(fd);
		uuid[36] = 0;
		if (sysfs_write(path, uuid)) {
			errors++;
			continue;
		}
		snprintf(rm, sizeof(rm), "/sys/bus/mdev/devices/%s/remove", uuid);
		if (sysfs_write(rm, "1"))
			errors++;
	}
	__atomic_store_n(&churning, 0, __ATOMIC_SEQ_CST);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	report(!h[0].errors && !h[1].errors,
	       "hammer: %ld and %ld write+read rounds, each read back what was written",
	       h[0].writes, h[1].writes);
	report(!errors, "hammer: %ld create/remove cycles meanwhile, %ld errors", cycles, errors);
	for (i = 0; i < 2; i++)
		printf("%s %ld %ld\n", h[i].uuid, h[i].reads, h[i].writes);
	return fails ? 1 : 0;
}

/*
 * The display (VFIO_DEVICE_QUERY_GFX_PLANE / GET_GFX_DMABUF): this program
 * plays the guest, writing pixels into the aperture slice through BAR2 and
 * programming pipe A's registers through BAR0, then looks at the result as
 * a VMM would.  Register layouts from i915_reg.h, fourcc codes from
 * drm_fourcc.h, both written out here.
 */
#define PIPECONF_A		0x70008
#define PLANE_CTL		0x70180
#define PLANE_STRIDE		0x70188
#define PLANE_POS		0x7018c
#define PLANE_SIZE		0x70190
#define PLANE_SURF		0x7019c
#define PLANE_OFFSET		0x701a4
#define CURCNTR			0x70080
#define CURBASE			0x70084
#define CURPOS			0x70088
#define PV_CURSOR_Y_HOT		(PVINFO + 0x834)
#define DISP_ENABLE		(1u << 31)	/* PIPECONF and PLANE_CTL */
#define CTL_FORMAT(f)		((uint32_t)(f) << 24)
#define CTL_RGBX		(1u << 20)
#define CTL_TILED(t)		((uint32_t)(t) << 10)
#define CTL_ALPHA_HW_PREMUL	(3u << 4)
#define PLANE_WH(w, h)		((uint32_t)((h) - 1) << 16 | ((w) - 1))
#define CUR_64_ARGB		0x27
#define CUR_128_ARGB		0x22
#define CUR_256_ARGB		0x23
#define FOURCC(s)		((uint32_t)(s)[0] | (uint32_t)(s)[1] << 8 | \
				 (uint32_t)(s)[2] << 16 | (uint32_t)(s)[3] << 24)
#define MOD_LINEAR		0ULL
#define MOD_X_TILED		((1ULL << 56) | 1)	/* fourcc_mod_code(INTEL, 1) */
#define MOD_Y_TILED		((1ULL << 56) | 2)
#define PLANE_PRIMARY		1	/* enum drm_plane_type */
#define PLANE_CURSOR		2
#define PAGE			4096u
#define PAGE_UP(n)		(((n) + PAGE - 1) / PAGE * PAGE)
#define PATTERN_BYTES		(2 * MIB)	/* at each surface, enough for the largest plane */

/* The 32-bit word i of pattern seed: what the guest writes at a surface. */
static uint32_t pattern_word(uint32_t i, uint32_t seed)
{
	return (i * 2654435761u) ^ seed;
}

static uint32_t *pattern(uint32_t seed)
{
	uint32_t *p = malloc(PATTERN_BYTES), i;

	for (i = 0; i < PATTERN_BYTES / 4; i++)
		p[i] = pattern_word(i, seed);
	return p;
}

static void guest_fill(struct vgpu *v, uint64_t gm, uint32_t seed)
{
	uint32_t *p = pattern(seed);

	report(!wr(v, VFIO_PCI_BAR2_REGION_INDEX, gm, p, PATTERN_BYTES),
	       "guest: pattern %#x written at %#" PRIx64 " through BAR2", seed, gm);
	free(p);
}

static void reg(struct vgpu *v, uint32_t off, uint32_t val)
{
	wrn(v, VFIO_PCI_BAR0_REGION_INDEX, off, val, 4);
}

static void guest_primary(struct vgpu *v, uint32_t ctl, uint32_t stride_reg, uint32_t w,
			  uint32_t h, uint64_t surf)
{
	reg(v, PIPECONF_A, DISP_ENABLE);
	reg(v, PLANE_STRIDE, stride_reg);
	reg(v, PLANE_SIZE, PLANE_WH(w, h));
	reg(v, PLANE_POS, 0);
	reg(v, PLANE_OFFSET, 0);
	reg(v, PLANE_SURF, surf);
	reg(v, PLANE_CTL, ctl);
}

/* 0 or -errno; info is filled with 0xa5 first, so a field left alone shows. */
static int query(struct vgpu *v, uint32_t type, uint32_t flags, uint32_t argsz,
		 struct vfio_device_gfx_plane_info *info)
{
	memset(info, 0xa5, sizeof(*info));
	info->argsz = argsz ? argsz : sizeof(*info);
	info->flags = flags;
	info->drm_plane_type = type;
	return ioctl(v->fd, VFIO_DEVICE_QUERY_GFX_PLANE, info) ? -errno : 0;
}

static int get_dmabuf(struct vgpu *v, uint32_t id)
{
	int fd = ioctl(v->fd, VFIO_DEVICE_GET_GFX_DMABUF, &id);

	return fd < 0 ? -errno : fd;
}

static void expect_no_plane(struct vgpu *v, uint32_t type, const char *why)
{
	struct vfio_device_gfx_plane_info info;
	int ret = query(v, type, VFIO_GFX_PLANE_TYPE_DMABUF, 0, &info);

	report(!ret && !info.drm_format && !info.width && !info.height && !info.size &&
	       !info.dmabuf_id,
	       "%s %s: no plane (success, format/size/id 0), got %d fmt %#x %ux%u size %u id %u",
	       type == PLANE_PRIMARY ? "primary" : "cursor", why, ret, info.drm_format,
	       info.width, info.height, info.size, info.dmabuf_id);
}

/*
 * The dma-buf of id: size PAGE_UP(size), mmap-able read-only, showing the
 * size bytes of pattern seed.  Returns its fd, or -1.
 */
static int check_dmabuf(struct vgpu *v, uint32_t id, uint32_t size, uint32_t seed, const char *what)
{
	uint32_t *want = pattern(seed);
	int fd = get_dmabuf(v, id);
	void *map;

	report(fd >= 0, "%s: GET_GFX_DMABUF(%u) gives an fd (%d)", what, id, fd);
	if (fd < 0) {
		free(want);
		return -1;
	}
	expect_eq("dma-buf size is the plane's size, page aligned",
		  lseek(fd, 0, SEEK_END), PAGE_UP(size));
	map = mmap(NULL, PAGE_UP(size), PROT_READ, MAP_SHARED, fd, 0);
	report(map != MAP_FAILED, "%s: dma-buf mmap'd read-only (%s)", what,
	       map == MAP_FAILED ? strerror(errno) : "ok");
	if (map != MAP_FAILED) {
		report(!memcmp(map, want, size), "%s: dma-buf shows the guest's %u bytes", what, size);
		munmap(map, PAGE_UP(size));
	}
	free(want);
	return fd;
}

struct plane_case {
	const char *what;
	uint32_t ctl, stride_reg, w, h;
	uint32_t fourcc;
	uint64_t mod;
	uint32_t stride, rows;	/* bytes per row; rows in the buffer (height rounded to tiles) */
};

static const struct plane_case primary_cases[] = {
	{ "linear XRGB8888", DISP_ENABLE | CTL_FORMAT(4), 40, 600, 480,
	  FOURCC("XR24"), MOD_LINEAR, 40 * 64, 480 },
	{ "linear XBGR8888", DISP_ENABLE | CTL_FORMAT(4) | CTL_RGBX, 40, 600, 480,
	  FOURCC("XB24"), MOD_LINEAR, 40 * 64, 480 },
	{ "linear ARGB8888", DISP_ENABLE | CTL_FORMAT(4) | CTL_ALPHA_HW_PREMUL, 40, 600, 480,
	  FOURCC("AR24"), MOD_LINEAR, 40 * 64, 480 },
	{ "linear ABGR8888", DISP_ENABLE | CTL_FORMAT(4) | CTL_RGBX | CTL_ALPHA_HW_PREMUL, 40, 600, 480,
	  FOURCC("AB24"), MOD_LINEAR, 40 * 64, 480 },
	{ "linear RGB565", DISP_ENABLE | CTL_FORMAT(14), 20, 600, 480,
	  FOURCC("RG16"), MOD_LINEAR, 20 * 64, 480 },
	{ "linear XRGB2101010", DISP_ENABLE | CTL_FORMAT(2), 40, 600, 480,
	  FOURCC("XR30"), MOD_LINEAR, 40 * 64, 480 },
	{ "X-tiled XRGB8888, height 477", DISP_ENABLE | CTL_FORMAT(4) | CTL_TILED(1), 5, 600, 477,
	  FOURCC("XR24"), MOD_X_TILED, 5 * 512, 480 },
	{ "Y-tiled XRGB8888, height 481", DISP_ENABLE | CTL_FORMAT(4) | CTL_TILED(4), 20, 600, 481,
	  FOURCC("XR24"), MOD_Y_TILED, 20 * 128, 512 },
};

#define NR_PRIMARY_CASES	(sizeof(primary_cases) / sizeof(primary_cases[0]))

/* Query the primary plane as c describes it; its dmabuf_id, 0 on failure. */
static uint32_t check_primary_case(struct vgpu *v, const struct plane_case *c, uint64_t surf)
{
	struct vfio_device_gfx_plane_info info;
	int ret;

	guest_primary(v, c->ctl, c->stride_reg, c->w, c->h, surf);
	ret = query(v, PLANE_PRIMARY, VFIO_GFX_PLANE_TYPE_DMABUF, 0, &info);
	report(!ret, "%s: QUERY_GFX_PLANE (%d)", c->what, ret);
	if (ret)
		return 0;
	report(info.drm_format == c->fourcc && info.drm_format_mod == c->mod &&
	       info.width == c->w && info.height == c->h && info.stride == c->stride &&
	       info.size == c->stride * c->rows && info.x_pos == 0 && info.y_pos == 0,
	       "%s: got fourcc %#x mod %#" PRIx64 " %ux%u stride %u size %u pos %u,%u; "
	       "want %#x %#" PRIx64 " %ux%u %u %u 0,0", c->what, info.drm_format,
	       (uint64_t)info.drm_format_mod, info.width, info.height, info.stride, info.size,
	       info.x_pos, info.y_pos, c->fourcc, (uint64_t)c->mod, c->w, c->h, c->stride,
	       c->stride * c->rows);
	report(info.dmabuf_id != 0, "%s: a dmabuf_id (%u)", c->what, info.dmabuf_id);
	return info.dmabuf_id;
}

static uint32_t primary_id(struct vgpu *v, const struct plane_case *c, uint64_t surf, int *err)
{
	struct vfio_device_gfx_plane_info info;

	guest_primary(v, c->ctl, c->stride_reg, c->w, c->h, surf);
	*err = query(v, PLANE_PRIMARY, VFIO_GFX_PLANE_TYPE_DMABUF, 0, &info);
	return *err ? 0 : info.dmabuf_id;
}

static void check_gfx_flags(struct vgpu *v)
{
	const uint32_t minsz = offsetof(struct vfio_device_gfx_plane_info, dmabuf_id) + 4;
	struct vfio_device_gfx_plane_info info;
	static const struct { uint32_t flags; const char *what; } bad[] = {
		{ 0, "no flags" },
		{ VFIO_GFX_PLANE_TYPE_PROBE, "PROBE alone" },
		{ VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_REGION, "PROBE | REGION (no region planes)" },
		{ VFIO_GFX_PLANE_TYPE_REGION, "REGION" },
		{ VFIO_GFX_PLANE_TYPE_DMABUF | VFIO_GFX_PLANE_TYPE_REGION, "DMABUF | REGION" },
		{ VFIO_GFX_PLANE_TYPE_DMABUF | (1 << 3), "DMABUF | an unknown flag" },
		{ VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_DMABUF | (1 << 3), "PROBE | DMABUF | unknown" },
	};
	size_t i;

	report(!query(v, PLANE_PRIMARY, VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_DMABUF, 0, &info),
	       "QUERY_GFX_PLANE PROBE | DMABUF: dma-bufs supported");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		report(query(v, PLANE_PRIMARY, bad[i].flags, 0, &info) == -EINVAL,
		       "QUERY_GFX_PLANE %s: EINVAL", bad[i].what);
	report(query(v, PLANE_PRIMARY, VFIO_GFX_PLANE_TYPE_DMABUF, minsz - 1, &info) == -EINVAL,
	       "QUERY_GFX_PLANE argsz one short: EINVAL");
	report(!query(v, PLANE_PRIMARY, VFIO_GFX_PLANE_TYPE_DMABUF, minsz, &info),
	       "QUERY_GFX_PLANE argsz up to dmabuf_id: accepted");
	report(query(v, 0, VFIO_GFX_PLANE_TYPE_DMABUF, 0, &info) == -EINVAL,
	       "QUERY_GFX_PLANE overlay plane: EINVAL");
	report(query(v, 3, VFIO_GFX_PLANE_TYPE_DMABUF, 0, &info) == -EINVAL,
	       "QUERY_GFX_PLANE plane type 3: EINVAL");
	report(get_dmabuf(v, 0) == -EINVAL, "GET_GFX_DMABUF(0): EINVAL");
	report(get_dmabuf(v, 12345) == -EINVAL, "GET_GFX_DMABUF of an id never given: EINVAL");
}

/* Refused: what the decoder does not understand, surfaces outside the slice. */
static void check_primary_refusals(struct vgpu *v, const struct pvinfo *pv, uint64_t surf)
{
	const uint32_t good = primary_cases[0].ctl, gs = primary_cases[0].stride_reg;
	const uint64_t end = (uint64_t)pv->map_base + pv->map_size;
	const struct {
		const char *what;
		uint32_t ctl, stride_reg, offset;
		uint64_t surf;
		int err;
	} bad[] = {
		{ "format YUV 4:2:2", DISP_ENABLE | CTL_FORMAT(0), gs, 0, surf, -EINVAL },
		{ "format NV12", DISP_ENABLE | CTL_FORMAT(1), gs, 0, surf, -EINVAL },
		{ "format P010", DISP_ENABLE | CTL_FORMAT(3), gs, 0, surf, -EINVAL },
		{ "format FP16", DISP_ENABLE | CTL_FORMAT(6), gs, 0, surf, -EINVAL },
		{ "format indexed (8-bit palette)", DISP_ENABLE | CTL_FORMAT(12), gs, 0, surf, -EINVAL },
		{ "tiling 2 (reserved)", good | CTL_TILED(2), gs, 0, surf, -EINVAL },
		{ "rotated 180", good | 2, gs, 0, surf, -EINVAL },
		{ "stride 0", good, 0, 0, surf, -EINVAL },
		{ "stride shorter than a row (2368 < 600 * 4)", good, 37, 0, surf, -EINVAL },
		{ "panned (PLANE_OFFSET y 8)", good, gs, 8 << 16, surf, -EINVAL },
		{ "surface just below the aperture slice", good, gs, 0, pv->map_base - PAGE, -EINVAL },
		{ "surface just past the aperture slice", good, gs, 0, end, -EINVAL },
		{ "surface at 0 (the host's memory)", good, gs, 0, 0, -EINVAL },
		{ "surface running past the slice's end", good, gs, 0, end - PAGE, -EFAULT },
	};
	struct vfio_device_gfx_plane_info info;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		guest_primary(v, bad[i].ctl, bad[i].stride_reg, 600, 480, bad[i].surf);
		reg(v, PLANE_OFFSET, bad[i].offset);
		ret = query(v, PLANE_PRIMARY, VFIO_GFX_PLANE_TYPE_DMABUF, 0, &info);
		report(ret == bad[i].err, "%s: %s (got %d)", bad[i].what, strerror(-bad[i].err), ret);
	}
}

/* Returns the id of primary_cases[0] at surf. */
static uint32_t check_primary(struct vgpu *v, const struct pvinfo *pv, uint64_t surf)
{
	const struct plane_case *c0 = &primary_cases[0];
	uint32_t ids[NR_PRIMARY_CASES], id, w, size0 = c0->stride * c0->rows;
	bool distinct = true;
	size_t i, j;
	void *map;
	int fd, err;

	guest_fill(v, surf, 1);
	for (i = 0; i < NR_PRIMARY_CASES; i++) {
		ids[i] = check_primary_case(v, &primary_cases[i], surf);
		for (j = 0; j < i; j++)
			distinct &= ids[i] != ids[j];
		fd = check_dmabuf(v, ids[i], primary_cases[i].stride * primary_cases[i].rows, 1,
				  primary_cases[i].what);
		if (fd >= 0)
			close(fd);
	}
	report(distinct, "each plane configuration got its own dmabuf_id");
	id = primary_id(v, c0, surf, &err);
	expect_eq("the first configuration again: its dmabuf_id again", id, ids[0]);
	expect_eq("... and once more", primary_id(v, c0, surf, &err), ids[0]);

	/* The guest moves the surface: another buffer. */
	guest_fill(v, surf + 4 * MIB, 2);
	id = primary_id(v, c0, surf + 4 * MIB, &err);
	report(id && id != ids[0], "surface moved: a new dmabuf_id (%u, was %u)", id, ids[0]);
	fd = check_dmabuf(v, id, size0, 2, "moved surface");
	if (fd >= 0)
		close(fd);

	/* The cursor position on a primary plane is PLANE_POS. */
	guest_primary(v, c0->ctl, c0->stride_reg, c0->w, c0->h, surf);
	reg(v, PLANE_POS, 12 << 16 | 34);
	{
		struct vfio_device_gfx_plane_info info;
		int ret = query(v, PLANE_PRIMARY, VFIO_GFX_PLANE_TYPE_DMABUF, 0, &info);

		report(!ret && info.x_pos == 34 && info.y_pos == 12 && info.dmabuf_id == ids[0],
		       "PLANE_POS 34,12: x_pos/y_pos (%u,%u), same dmabuf_id (%u)", info.x_pos,
		       info.y_pos, info.dmabuf_id);
	}

	/* Scanout memory: what the guest writes after the export shows. */
	guest_primary(v, c0->ctl, c0->stride_reg, c0->w, c0->h, surf);
	fd = get_dmabuf(v, ids[0]);
	map = fd < 0 ? MAP_FAILED : mmap(NULL, PAGE_UP(size0), PROT_READ, MAP_SHARED, fd, 0);
	report(map != MAP_FAILED, "primary dma-buf mapped");
	if (map != MAP_FAILED) {
		w = 0xc0ffee00;
		wr(v, VFIO_PCI_BAR2_REGION_INDEX, surf + 2560 * 7 + 4 * 9, &w, 4);
		expect_eq("pixel (9,7) written by the guest after the export shows in the dma-buf",
			  ((uint32_t *)map)[(2560 * 7 + 4 * 9) / 4], 0xc0ffee00);
		w = pattern_word((2560 * 7 + 4 * 9) / 4, 1);
		wr(v, VFIO_PCI_BAR2_REGION_INDEX, surf + 2560 * 7 + 4 * 9, &w, 4);
		munmap(map, PAGE_UP(size0));
		map = mmap(NULL, PAGE_UP(size0), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		report(map == MAP_FAILED && errno == EACCES, "dma-buf is read-only: writable mmap EACCES");
		map = mmap(NULL, PAGE_UP(size0) + PAGE, PROT_READ, MAP_SHARED, fd, 0);
		report(map == MAP_FAILED, "dma-buf mmap beyond its size refused");
		map = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
		report(map == MAP_FAILED && errno == EINVAL, "dma-buf private mmap: EINVAL");
	}
	if (fd >= 0)
		close(fd);

	check_primary_refusals(v, pv, surf);
	expect_eq("after the refusals, the first configuration keeps its id",
		  primary_id(v, c0, surf, &err), ids[0]);

	/* Off: plane disabled, or plane on a disabled pipe. */
	reg(v, PLANE_CTL, c0->ctl & ~DISP_ENABLE);
	expect_no_plane(v, PLANE_PRIMARY, "with PLANE_CTL's enable bit clear");
	reg(v, PLANE_CTL, c0->ctl);
	reg(v, PIPECONF_A, 0);
	expect_no_plane(v, PLANE_PRIMARY, "with pipe A off");
	return ids[0];
}

/* The vGPU remembers 16 framebuffers; the 17th new one forgets the oldest. */
static void check_forgetting(struct vgpu *v, uint64_t surf, uint32_t id0)
{
	const struct plane_case *c0 = &primary_cases[0];
	uint32_t id = 0;
	int k, err = 0, fd;

	for (k = 1; k <= 16 && !err; k++)
		id = primary_id(v, c0, surf + k * 2 * MIB, &err);
	report(!err && id, "16 more surfaces, 16 more ids");
	fd = get_dmabuf(v, id0);
	report(fd == -EINVAL, "the oldest id is forgotten: GET_GFX_DMABUF EINVAL (%d)", fd);
	if (fd >= 0)
		close(fd);
	id = primary_id(v, c0, surf, &err);
	report(id && id != id0, "its configuration again: a new id (%u, was %u)", id, id0);
}

static void check_cursor(struct vgpu *v, const struct pvinfo *pv, uint64_t cur)
{
	struct vfio_device_gfx_plane_info info;
	uint32_t id64, id;
	int ret, fd;

	guest_fill(v, cur, 3);
	reg(v, PIPECONF_A, DISP_ENABLE);
	reg(v, CURBASE, cur);
	reg(v, CURPOS, 100 << 16 | 200);
	reg(v, PV_CURSOR_X_HOT, 3);
	reg(v, PV_CURSOR_Y_HOT, 5);
	expect_no_plane(v, PLANE_CURSOR, "with CURCNTR's mode 0");
	reg(v, CURCNTR, CUR_64_ARGB);
	ret = query(v, PLANE_CURSOR, VFIO_GFX_PLANE_TYPE_DMABUF, 0, &info);
	report(!ret && info.drm_format == FOURCC("AR24") && info.drm_format_mod == MOD_LINEAR &&
	       info.width == 64 && info.height == 64 && info.stride == 256 && info.size == 16384 &&
	       info.x_pos == 200 && info.y_pos == 100 && info.x_hot == 3 && info.y_hot == 5 &&
	       info.dmabuf_id,
	       "cursor 64x64 ARGB: got %d fourcc %#x %ux%u stride %u size %u pos %u,%u hot %u,%u id %u",
	       ret, info.drm_format, info.width, info.height, info.stride, info.size, info.x_pos,
	       info.y_pos, info.x_hot, info.y_hot, info.dmabuf_id);
	id64 = info.dmabuf_id;
	fd = check_dmabuf(v, id64, 16384, 3, "cursor");
	if (fd >= 0)
		close(fd);

	reg(v, CURPOS, 7 << 16 | 1 << 15 | 5);
	ret = query(v, PLANE_CURSOR, VFIO_GFX_PLANE_TYPE_DMABUF, 0, &info);
	report(!ret && info.x_pos == (uint32_t)-5 && info.y_pos == 7 && info.dmabuf_id == id64,
	       "cursor moved to -5,7: x_pos %#x y_pos %u, same dmabuf_id %u", info.x_pos,
	       info.y_pos, info.dmabuf_id);
	reg(v, PV_CURSOR_X_HOT, 65);
	ret = query(v, PLANE_CURSOR, VFIO_GFX_PLANE_TYPE_DMABUF, 0, &info);
	report(!ret && info.x_hot == 0xffffffff && info.y_hot == 0xffffffff,
	       "hot spot outside the cursor: none (%#x,%#x)", info.x_hot, info.y_hot);
	reg(v, PV_CURSOR_X_HOT, 3);

	reg(v, CURCNTR, CUR_128_ARGB);
	ret = query(v, PLANE_CURSOR, VFIO_GFX_PLANE_TYPE_DMABUF, 0, &info);
	report(!ret && info.width == 128 && info.height == 128 && info.size == 128 * 128 * 4 &&
	       info.dmabuf_id && info.dmabuf_id != id64,
	       "cursor 128x128: size %u, a new dmabuf_id %u", info.size, info.dmabuf_id);
	id = info.dmabuf_id;
	reg(v, CURCNTR, CUR_256_ARGB);
	ret = query(v, PLANE_CURSOR, VFIO_GFX_PLANE_TYPE_DMABUF, 0, &info);
	report(!ret && info.width == 256 && info.size == 256 * 256 * 4 && info.dmabuf_id != id &&
	       info.dmabuf_id != id64, "cursor 256x256: size %u, a new dmabuf_id", info.size);
	fd = check_dmabuf(v, info.dmabuf_id, 256 * 256 * 4, 3, "cursor 256x256");
	if (fd >= 0)
		close(fd);

	reg(v, CURCNTR, 0x07);
	report(query(v, PLANE_CURSOR, VFIO_GFX_PLANE_TYPE_DMABUF, 0, &info) == -EINVAL,
	       "cursor 64x64 AND/XOR mode: EINVAL");
	reg(v, CURCNTR, 0x04);
	report(query(v, PLANE_CURSOR, VFIO_GFX_PLANE_TYPE_DMABUF, 0, &info) == -EINVAL,
	       "cursor 2-bit mode: EINVAL");
	reg(v, CURCNTR, CUR_64_ARGB);
	reg(v, CURBASE, pv->map_base + pv->map_size);
	report(query(v, PLANE_CURSOR, VFIO_GFX_PLANE_TYPE_DMABUF, 0, &info) == -EINVAL,
	       "cursor outside the aperture slice: EINVAL");
	reg(v, CURBASE, cur);
	ret = query(v, PLANE_CURSOR, VFIO_GFX_PLANE_TYPE_DMABUF, 0, &info);
	report(!ret && info.dmabuf_id == id64, "cursor back at 64x64: its first dmabuf_id again");
	reg(v, PIPECONF_A, 0);
	expect_no_plane(v, PLANE_CURSOR, "with pipe A off");
}

/* vgem (a DRM driver with PRIME import) maps the dma-buf for DMA: map_dma_buf. */
struct drm_prime_handle_s { uint32_t handle, flags; int32_t fd; };
struct drm_gem_close_s { uint32_t handle, pad; };
#define DRM_IOCTL_PRIME_FD_TO_HANDLE_ _IOWR('d', 0x2e, struct drm_prime_handle_s)
#define DRM_IOCTL_GEM_CLOSE_ _IOW('d', 0x09, struct drm_gem_close_s)

static int vgem_open(void)
{
	char path[64], link[PATH_MAX];
	ssize_t n;
	int i;

	for (i = 0; i < 8; i++) {
		/* vgem's platform device has no driver bound: match the device's name. */
		snprintf(path, sizeof(path), "/sys/class/drm/card%d/device", i);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = 0;
		if (!strcmp(strrchr(link, '/') + 1, "vgem")) {
			snprintf(path, sizeof(path), "/dev/dri/card%d", i);
			return open(path, O_RDWR);
		}
	}
	return -1;
}

static void check_import(int dmabuf)
{
	struct drm_prime_handle_s prime = { .fd = dmabuf };
	int drm = vgem_open(), ret;

	report(drm >= 0, "vgem device opened (modprobe vgem)");
	if (drm < 0)
		return;
	ret = ioctl(drm, DRM_IOCTL_PRIME_FD_TO_HANDLE_, &prime);
	report(!ret && prime.handle,
	       "vgem imports the dma-buf (attach, map_dma_buf): handle %u", prime.handle);
	if (prime.handle)
		report(!ioctl(drm, DRM_IOCTL_GEM_CLOSE_, &(struct drm_gem_close_s){ .handle = prime.handle }),
		       "vgem drops it (unmap, detach)");
	close(drm);
}

static long module_refcnt(void)
{
	FILE *f = fopen("/sys/module/gvt_mdev/refcnt", "r");
	long n = -1;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

/*
 * vfio-check display UUID: everything above, then the ids forgotten on
 * close, then a dma-buf that outlives the device fd and the vGPU itself
 * (UUID is removed at the end).
 */
static int cmd_display(const char *uuid)
{
	const struct plane_case *c0 = &primary_cases[0];
	uint32_t size0 = c0->stride * c0->rows, id0;
	uint32_t *want = pattern(1);
	struct pvinfo pv;
	struct vgpu v;
	char path[PATH_MAX];
	long r_held, r_after;
	uint64_t surf;
	void *map;
	int fd, err;

	vgpu_open(&v, uuid);
	read_pvinfo(&v, &pv);
	surf = pv.map_base + 1 * MIB;
	expect_no_plane(&v, PLANE_PRIMARY, "at creation");
	expect_no_plane(&v, PLANE_CURSOR, "at creation");
	check_gfx_flags(&v);
	id0 = check_primary(&v, &pv, surf);
	check_cursor(&v, &pv, pv.map_base + 48 * MIB);
	check_forgetting(&v, surf, id0);

	id0 = primary_id(&v, c0, surf, &err);
	report(!ioctl(v.fd, VFIO_DEVICE_RESET), "VFIO_DEVICE_RESET");
	expect_no_plane(&v, PLANE_PRIMARY, "after reset");
	expect_no_plane(&v, PLANE_CURSOR, "after reset");
	fd = get_dmabuf(&v, id0);
	report(fd >= 0, "an id given before the reset still gives its dma-buf");
	if (fd >= 0) {
		check_import(fd);
		close(fd);
	}

	vgpu_close(&v);
	vgpu_open(&v, uuid);
	fd = get_dmabuf(&v, id0);
	report(fd == -EINVAL, "closed and opened again: ids are forgotten (%d)", fd);
	if (fd >= 0)
		close(fd);

	/* A dma-buf outlives the device fd and the vGPU: it holds the pages. */
	id0 = primary_id(&v, c0, surf, &err);
	fd = get_dmabuf(&v, id0);
	map = fd < 0 ? MAP_FAILED : mmap(NULL, PAGE_UP(size0), PROT_READ, MAP_SHARED, fd, 0);
	vgpu_close(&v);
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/remove", uuid);
	report(!sysfs_write(path, "1"), "vGPU removed while its dma-buf is open");
	report(map != MAP_FAILED && !memcmp(map, want, size0),
	       "the dma-buf still shows the pixels after the vGPU is gone");
	r_held = module_refcnt();
	if (map != MAP_FAILED)
		munmap(map, PAGE_UP(size0));
	if (fd >= 0)
		close(fd);
	r_after = module_refcnt();
	report(r_held == r_after + 1, "the dma-buf held one gvt_mdev reference (%ld, then %ld): released",
	       r_held, r_after);
	free(want);
	return fails ? 1 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "device"))
		return cmd_device(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "session"))
		return cmd_session(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "fill"))
		return cmd_fill(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "request"))
		return cmd_request(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "hold"))
		return cmd_hold(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "display"))
		return cmd_display(argv[2]);
	if (argc == 6 && !strcmp(argv[1], "hammer"))
		return cmd_hammer(argv[2], argv[3], atol(argv[4]), argv[5]);
	fprintf(stderr, "usage: vfio-check device UUID OTHER | session UUID | fill UUID | request UUID |\n"
			"       hold UUID | hammer UUID1 UUID2 N TYPEDIR | display UUID\n");
	return 2;
}
