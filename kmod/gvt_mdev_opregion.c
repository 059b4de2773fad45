// SPDX-License-Identifier: GPL-2.0-only
/*
 * gvt_mdev: the OpRegion region (VFIO_REGION_TYPE_PCI_VENDOR_TYPE | Intel,
 * VFIO_REGION_SUBTYPE_INTEL_IGD_OPREGION), read-only, 8 KiB.
 *
 * It holds a virtual OpRegion built as kvmgt's intel_vgpu_init_opregion
 * builds its own (gvt/opregion.c): the header with signature, size, version
 * 2.0 and only the VBT mailbox (mailbox 4) announced, the lid forced open,
 * and at 0x400 kvmgt's virtual VBT: BDB version 186, general features,
 * general definitions with four DisplayPort child devices on ports A-D (the
 * DDIs of a Gen9 part) and driver features without LVDS.  The VBT checksum
 * stays 0, as kvmgt leaves it (i915 does not check it).  Nothing in it
 * depends on the vGPU, so there is one image for all of them, built at
 * compile time.  Writes are -EINVAL: the region is read-only.
 */
#include <linux/build_bug.h>
#include <linux/pci_ids.h>
#include "gvt_mdev.h"

#define GVT_MDEV_OPREGION_SIGNATURE	"IntelGraphicsMem"
#define GVT_MDEV_OPREGION_VERSION	0x02000000	/* major 2, minor 0 */
#define GVT_MDEV_OPREGION_MBOX_VBT	BIT(3)		/* mailbox 4 */
#define GVT_MDEV_OPREGION_CLID		0x1ac		/* mailbox 1: current lid state */
#define GVT_MDEV_OPREGION_CLID_OPEN	0x3
#define GVT_MDEV_OPREGION_VBT_OFFSET	0x400

/* The OpRegion header (256 bytes); size is in KiB. */
struct gvt_mdev_opregion_header {
	u8 signature[16];
	__le32 size;
	__le32 version;
	u8 bios_version[32];
	u8 vbios_version[16];
	u8 driver_version[16];
	__le32 mailboxes;
	__le32 driver_model;
	__le32 platform_config;
	u8 gop_version[32];
	u8 reserved[124];
} __packed;

struct gvt_mdev_vbt_header {
	u8 signature[20];
	__le16 version;
	__le16 header_size;
	__le16 vbt_size;
	u8 checksum;
	u8 reserved;
	__le32 bdb_offset;
	__le32 aim_offset[4];
} __packed;

struct gvt_mdev_bdb_header {
	u8 signature[16];
	__le16 version;
	__le16 header_size;
	__le16 bdb_size;		/* BDB header and blocks */
} __packed;

/* Each BDB block starts with its id and the size of what follows. */
struct gvt_mdev_bdb_block {
	u8 id;
	__le16 size;
} __packed;

#define GVT_MDEV_BDB_VERSION		186	/* child devices of 33 bytes */
#define GVT_MDEV_BDB_GENERAL_FEATURES	1
#define GVT_MDEV_BDB_GENERAL_DEFS	2
#define GVT_MDEV_BDB_DRIVER_FEATURES	12
#define GVT_MDEV_BDB_GENERAL_FEATURES_SIZE 5	/* no CRT, no TV: all 0 */
#define GVT_MDEV_BDB_DRIVER_FEATURES_SIZE 19	/* LVDS config "none": all 0 */

/* A child device (display port) as BDB 186 lays it out; only what is set is named. */
struct gvt_mdev_bdb_child {
	__le16 handle;
	__le16 device_type;
	u8 reserved0[12];
	u8 dvo_port;
	u8 reserved1[7];
	u8 support;			/* bit 1: DisplayPort */
	u8 aux_channel;
	u8 dongle_detect;
	u8 capabilities;		/* bit 5: integrated encoder */
	u8 reserved2[5];
} __packed;

#define GVT_MDEV_BDB_DEVICE_TYPE_DP	0x68c6
#define GVT_MDEV_BDB_SUPPORT_DP		BIT(1)
#define GVT_MDEV_BDB_INTEGRATED_ENCODER	BIT(5)
#define GVT_MDEV_BDB_NR_CHILDREN	4

struct gvt_mdev_bdb_general_defs {
	u8 crt_ddc_pin;
	u8 dpms;
	u8 boot_display[2];
	u8 child_size;
	struct gvt_mdev_bdb_child child[GVT_MDEV_BDB_NR_CHILDREN];
} __packed;

struct gvt_mdev_vbt {
	struct gvt_mdev_vbt_header header;
	struct gvt_mdev_bdb_header bdb;
	struct gvt_mdev_bdb_block features_block;
	u8 features[GVT_MDEV_BDB_GENERAL_FEATURES_SIZE];
	struct gvt_mdev_bdb_block defs_block;
	struct gvt_mdev_bdb_general_defs defs;
	struct gvt_mdev_bdb_block driver_block;
	u8 driver_features[GVT_MDEV_BDB_DRIVER_FEATURES_SIZE];
} __packed;

struct gvt_mdev_opregion {
	struct gvt_mdev_opregion_header header;
	u8 mbox1_to_clid[GVT_MDEV_OPREGION_CLID - sizeof(struct gvt_mdev_opregion_header)];
	u8 clid;
	u8 clid_to_vbt[GVT_MDEV_OPREGION_VBT_OFFSET - GVT_MDEV_OPREGION_CLID - 1];
	struct gvt_mdev_vbt vbt;
	u8 tail[GVT_MDEV_OPREGION_SIZE - GVT_MDEV_OPREGION_VBT_OFFSET -
		sizeof(struct gvt_mdev_vbt)];
} __packed;

static_assert(sizeof(struct gvt_mdev_opregion_header) == 256);
static_assert(sizeof(struct gvt_mdev_bdb_child) == 33);
static_assert(sizeof(struct gvt_mdev_opregion) == GVT_MDEV_OPREGION_SIZE);

/* Port A-D: the handle bit, the DVO port and the AUX channel i915 knows them by. */
#define GVT_MDEV_BDB_DP_CHILD(handle_, port_, aux_) {				\
	.handle = cpu_to_le16(handle_),						\
	.device_type = cpu_to_le16(GVT_MDEV_BDB_DEVICE_TYPE_DP),		\
	.dvo_port = port_,							\
	.support = GVT_MDEV_BDB_SUPPORT_DP,					\
	.aux_channel = aux_,							\
	.capabilities = GVT_MDEV_BDB_INTEGRATED_ENCODER,			\
}

static const struct gvt_mdev_opregion gvt_mdev_opregion = {
	.header = {
		.signature = GVT_MDEV_OPREGION_SIGNATURE,
		.size = cpu_to_le32(GVT_MDEV_OPREGION_SIZE / SZ_1K),
		.version = cpu_to_le32(GVT_MDEV_OPREGION_VERSION),
		.mailboxes = cpu_to_le32(GVT_MDEV_OPREGION_MBOX_VBT),
	},
	/* kvmgt: a closed lid blocks Windows guests. */
	.clid = GVT_MDEV_OPREGION_CLID_OPEN,
	.vbt = {
		.header = {
			.signature = "$VBT",
			.version = cpu_to_le16(155),
			.header_size = cpu_to_le16(sizeof(struct gvt_mdev_vbt_header)),
			.vbt_size = cpu_to_le16(sizeof(struct gvt_mdev_vbt)),
			.bdb_offset = cpu_to_le32(offsetof(struct gvt_mdev_vbt, bdb)),
		},
		.bdb = {
			.signature = "BIOS_DATA_BLOCK",
			.version = cpu_to_le16(GVT_MDEV_BDB_VERSION),
			.header_size = cpu_to_le16(sizeof(struct gvt_mdev_bdb_header)),
			.bdb_size = cpu_to_le16(sizeof(struct gvt_mdev_vbt) -
						sizeof(struct gvt_mdev_vbt_header)),
		},
		.features_block = {
			.id = GVT_MDEV_BDB_GENERAL_FEATURES,
			.size = cpu_to_le16(GVT_MDEV_BDB_GENERAL_FEATURES_SIZE),
		},
		.defs_block = {
			.id = GVT_MDEV_BDB_GENERAL_DEFS,
			.size = cpu_to_le16(sizeof(struct gvt_mdev_bdb_general_defs)),
		},
		.defs = {
			.child_size = sizeof(struct gvt_mdev_bdb_child),
			.child = {
				GVT_MDEV_BDB_DP_CHILD(0x04, 10, 0x40),	/* port A */
				GVT_MDEV_BDB_DP_CHILD(0x40, 7, 0x10),	/* port B */
				GVT_MDEV_BDB_DP_CHILD(0x20, 8, 0x20),	/* port C */
				GVT_MDEV_BDB_DP_CHILD(0x10, 9, 0x30),	/* port D */
			},
		},
		.driver_block = {
			.id = GVT_MDEV_BDB_DRIVER_FEATURES,
			.size = cpu_to_le16(GVT_MDEV_BDB_DRIVER_FEATURES_SIZE),
		},
	},
};

int gvt_mdev_opregion_rw(struct gvt_mdev_vgpu *vgpu, u64 off, void *buf, size_t len, bool write)
{
	lockdep_assert_held(&vgpu->lock);

	if (write || off >= GVT_MDEV_OPREGION_SIZE || len > GVT_MDEV_OPREGION_SIZE - off)
		return -EINVAL;
	memcpy(buf, (const u8 *)&gvt_mdev_opregion + off, len);
	return 0;
}
