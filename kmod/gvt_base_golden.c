// SPDX-License-Identifier: GPL-2.0-only
/*
 * gvt_base: load a real GPU's golden_hw_state through request_firmware and
 * verify it exactly as kvmgt does (gvt/firmware.c): magic, version, crc32,
 * config space size, MMIO size, vendor, device, revision, in that order,
 * stopping at the first mismatch.  Unlike kvmgt it also refuses a file too
 * short for its own header and offsets instead of reading past its end.
 */
#include <linux/firmware.h>
#include <linux/pci_regs.h>
#include <asm/unaligned.h>
#include "gvt_base_internal.h"

#define GVT_BASE_GOLDEN_FW_FMT \
	"i915/gvt/vid_0x%04x_did_0x%04x_rid_0x%02x.golden_hw_state"

static bool gvt_base_golden_field_ok(struct device *dev, const char *name,
				     const char *field, u64 found, u64 expected)
{
	if (found == expected)
		return true;
	dev_warn(dev, "golden_hw_state %s rejected: %s is %#llx, expected %#llx; using the model\n",
		 name, field, found, expected);
	return false;
}

static bool gvt_base_golden_fits(struct device *dev, const char *name,
				 const char *what, size_t file_size, u64 offset,
				 u64 size)
{
	if (offset <= file_size && file_size - offset >= size)
		return true;
	dev_warn(dev, "golden_hw_state %s rejected: %s at %#llx+%#llx runs past the file's end at %#zx; using the model\n",
		 name, what, offset, size, file_size);
	return false;
}

static int gvt_base_golden_verify(struct device *dev, const char *name,
				  const struct firmware *fw,
				  const struct gvt_base_model *model)
{
	const struct gvt_base_golden_header *h = (const void *)fw->data;
	const u8 *cfg;

	if (!gvt_base_golden_fits(dev, name, "header", fw->size, 0, sizeof(*h)))
		return -EINVAL;
	if (!gvt_base_golden_field_ok(dev, name, "magic",
				      le64_to_cpu(h->magic), GVT_BASE_GOLDEN_MAGIC) ||
	    !gvt_base_golden_field_ok(dev, name, "version",
				      le32_to_cpu(h->version), GVT_BASE_GOLDEN_VERSION) ||
	    !gvt_base_golden_field_ok(dev, name, "crc32", le32_to_cpu(h->crc32),
				      gvt_base_snapshot_crc32(fw->data, fw->size)) ||
	    !gvt_base_golden_field_ok(dev, name, "cfg space size",
				      le64_to_cpu(h->cfg_space_size),
				      GVT_BASE_CFG_SPACE_SIZE) ||
	    !gvt_base_golden_field_ok(dev, name, "mmio size",
				      le64_to_cpu(h->mmio_size), GVT_BASE_MMIO_SIZE))
		return -EINVAL;
	if (!gvt_base_golden_fits(dev, name, "cfg space", fw->size,
				  le64_to_cpu(h->cfg_space_offset),
				  GVT_BASE_CFG_SPACE_SIZE) ||
	    !gvt_base_golden_fits(dev, name, "mmio", fw->size,
				  le64_to_cpu(h->mmio_offset), GVT_BASE_MMIO_SIZE))
		return -EINVAL;

	cfg = fw->data + le64_to_cpu(h->cfg_space_offset);
	if (!gvt_base_golden_field_ok(dev, name, "vendor id",
				      get_unaligned_le16(cfg + PCI_VENDOR_ID), model->vendor) ||
	    !gvt_base_golden_field_ok(dev, name, "device id",
				      get_unaligned_le16(cfg + PCI_DEVICE_ID), model->device) ||
	    !gvt_base_golden_field_ok(dev, name, "revision id",
				      cfg[PCI_REVISION_ID], model->revision))
		return -EINVAL;
	return 0;
}

/*
 * Fill golden from the firmware file if there is a valid one.  The blob is
 * stored in canonical layout (offsets 48 and 48 + 4 KiB) and resealed, which
 * leaves a canonical input byte for byte as it was.
 */
int gvt_base_golden_load(struct device *dev, const struct gvt_base_model *model,
			 u8 *golden)
{
	const struct gvt_base_golden_header *h;
	const struct firmware *fw;
	char kvmgt_name[64];
	const char *name;
	int ret;

	name = gvt_base_golden_name;
	if (!name) {
		snprintf(kvmgt_name, sizeof(kvmgt_name), GVT_BASE_GOLDEN_FW_FMT,
			 model->vendor, model->device, model->revision);
		name = kvmgt_name;
	}

	/* Direct only: no user-helper fallback to wait for. */
	ret = request_firmware_direct(&fw, name, dev);
	if (ret) {
		if (gvt_base_golden_name)
			dev_warn(dev, "golden_hw_state %s not loaded (%d); using the model\n",
				 name, ret);
		return ret;
	}

	ret = gvt_base_golden_verify(dev, name, fw, model);
	if (!ret) {
		h = (const void *)fw->data;
		memcpy(golden + GVT_BASE_GOLDEN_CFG_OFFSET,
		       fw->data + le64_to_cpu(h->cfg_space_offset),
		       GVT_BASE_CFG_SPACE_SIZE);
		memcpy(golden + GVT_BASE_GOLDEN_MMIO_OFFSET,
		       fw->data + le64_to_cpu(h->mmio_offset), GVT_BASE_MMIO_SIZE);
		gvt_base_snapshot_seal(golden);
		dev_info(dev, "snapshot from golden_hw_state %s\n", name);
	}
	release_firmware(fw);
	return ret;
}
