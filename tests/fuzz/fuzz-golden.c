// SPDX-License-Identifier: GPL-2.0-only
/*
 * golden_hw_state blobs as gvt_base reads them from request_firmware
 * (kmod/gvt_base_golden.c, compiled for userspace over kshim/): the kernel's
 * own parser, not a copy. A blob it accepts must leave a sealed, canonical
 * snapshot whose config space starts with the model's ids.
 */
#include "fuzz.h"
#include "gvt_base_internal.h"

struct firmware kshim_firmware;
char *gvt_base_golden_name = "fuzz.golden_hw_state";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static u8 golden[GVT_BASE_GOLDEN_SIZE];
	static const struct gvt_base_model model = { .vendor = 0x8086, .device = 0x1912, .revision = 0x06 };
	struct device dev = { "fuzz" };
	u8 *copy = size ? malloc(size) : NULL;
	int r;

	/* A buffer of its own, exactly size bytes: ASan sees any read past the file's end. */
	if (size && !copy)
		abort();
	if (size)
		memcpy(copy, data, size);
	kshim_firmware = (struct firmware) { .size = size, .data = copy };
	r = gvt_base_golden_load(&dev, &model, golden);
	FUZZ_CHECK(r == 0 || r == -EINVAL);
	if (r == 0) {
		const struct gvt_base_golden_header *h = (const void *) golden;

		FUZZ_CHECK(le64_to_cpu(h->magic) == GVT_BASE_GOLDEN_MAGIC);
		FUZZ_CHECK(le32_to_cpu(h->crc32) == gvt_base_snapshot_crc32(golden, GVT_BASE_GOLDEN_SIZE));
		FUZZ_CHECK(get_unaligned_le16(golden + GVT_BASE_GOLDEN_CFG_OFFSET) == model.vendor);
	}
	free(copy);
	return 0;
}
