// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio-check: drives gvt_mdev's vGPUs through the VFIO user API only
 * (container, group, device fd), as a VMM would.  Expected values come from
 * kvmgt's definitions written out here (PVINFO layout, type sizes, the
 * config space rules, the EDID format), never from the module.
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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

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

static void report(bool ok, const char *fmt, ...)
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
	expect_eq("GET_INFO: regions (vfio-pci's 9 + EDID)", info.num_regions, VFIO_PCI_NUM_REGIONS + 1);
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
	expect_eq("config: OpRegion pointer cleared", cfg32(v, 0xfc), 0);
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

static int set_irq(struct vgpu *v, unsigned int index, uint32_t flags, int32_t fd)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *set = (void *)buf;

	set->argsz = sizeof(buf);
	set->flags = flags;
	set->index = index;
	set->start = 0;
	set->count = (flags & VFIO_IRQ_SET_DATA_NONE) && fd < 0 ? 0 : 1;
	memcpy(set->data, &fd, sizeof(fd));
	if (flags & VFIO_IRQ_SET_DATA_NONE)
		set->argsz = sizeof(*set);
	return ioctl(v->fd, VFIO_DEVICE_SET_IRQS, set) ? -errno : 0;
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
	if (argc == 6 && !strcmp(argv[1], "hammer"))
		return cmd_hammer(argv[2], argv[3], atol(argv[4]), argv[5]);
	fprintf(stderr, "usage: vfio-check device UUID OTHER | session UUID | fill UUID | request UUID |\n"
			"       hold UUID | hammer UUID1 UUID2 N TYPEDIR\n");
	return 2;
}
