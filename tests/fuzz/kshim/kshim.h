/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Just enough of the kernel's headers to build kmod/gvt_base_golden.c and
 * kmod/gvt_base_snapshot.c unchanged in userspace, for fuzz-golden: the
 * types, byte order and unaligned helpers, crc32_le, dev_warn/dev_info, and
 * request_firmware_direct() serving the fuzzer's input.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <assert.h>
#include <endian.h>
#include <errno.h>

/* The kernel's one-argument form. */
#undef static_assert
#define static_assert(expr) _Static_assert(expr, #expr)

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef uint64_t __le64;
typedef uint32_t __le32;
typedef uint16_t __le16;

#define __packed __attribute__((packed))
#define SZ_4K 0x1000
#define SZ_2M 0x200000

#define le64_to_cpu(x) le64toh(x)
#define le32_to_cpu(x) le32toh(x)
#define cpu_to_le64(x) htole64(x)
#define cpu_to_le32(x) htole32(x)

static inline u16 get_unaligned_le16(const void *p)
{
	const u8 *b = p;

	return (u16) (b[0] | b[1] << 8);
}

struct device {
	const char *name;
};
struct auxiliary_device {
	struct device dev;
};
struct attribute_group;

struct firmware {
	size_t size;
	const u8 *data;
};

/* The messages go nowhere: a rejected blob is the normal case. */
#define dev_warn(dev, ...) ((void) (dev))
#define dev_info(dev, ...) ((void) (dev))

/* kvmgt's crc32: the kernel's crc32_le (reflected 0xedb88320, no inversions). */
static inline u32 crc32_le(u32 crc, const u8 *p, size_t len)
{
	while (len--) {
		crc ^= *p++;
		for (int i = 0; i < 8; i++)
			crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
	}
	return crc;
}

/* Set by the fuzz target before each gvt_base_golden_load(). */
extern struct firmware kshim_firmware;

static inline int request_firmware_direct(const struct firmware **fw, const char *name, struct device *dev)
{
	*fw = &kshim_firmware;
	return 0;
}

static inline void release_firmware(const struct firmware *fw)
{
}
