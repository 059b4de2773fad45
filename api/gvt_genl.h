/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * The "gvt" generic netlink family of gvt_mdev: GPUs and their vGPUs, with
 * per-vGPU counters, and a multicast group of vGPU lifecycle events.
 * Shared by the kernel module and the daemon; needs <linux/types.h> only.
 *
 * Commands:
 *   GVT_GENL_CMD_GET_GPU    dump: one message per GPU (GPU attributes).
 *                           do: the GPU named by GVT_GENL_A_GPU_NAME.
 *                           Anyone may ask.
 *   GVT_GENL_CMD_GET_VGPU   dump: one message per vGPU; do: the vGPU named by
 *                           GVT_GENL_A_VGPU_UUID.  CAP_NET_ADMIN only.
 *   GVT_GENL_CMD_VGPU_*     events on GVT_GENL_MCGRP_EVENTS (joining it needs
 *                           CAP_NET_ADMIN): GPU_NAME, VGPU_UUID, VGPU_TYPE,
 *                           VGPU_ID; OPENED and CLOSED add VGPU_OPENER_PID,
 *                           OPENED also VGPU_OPENED_AT.
 *
 * Amounts of graphics memory are in bytes; fences count registers.
 */
#ifndef GVT_GENL_H
#define GVT_GENL_H

#include <linux/types.h>

#define GVT_GENL_NAME			"gvt"
#define GVT_GENL_VERSION		1
#define GVT_GENL_MCGRP_EVENTS		"events"
#define GVT_GENL_UUID_LEN		16

enum gvt_genl_cmd {
	GVT_GENL_CMD_UNSPEC,
	GVT_GENL_CMD_GET_GPU,
	GVT_GENL_CMD_GET_VGPU,
	GVT_GENL_CMD_VGPU_CREATED,
	GVT_GENL_CMD_VGPU_REMOVED,
	GVT_GENL_CMD_VGPU_OPENED,
	GVT_GENL_CMD_VGPU_CLOSED,
	GVT_GENL_CMD_VGPU_RESET,

	__GVT_GENL_CMD_MAX,
	GVT_GENL_CMD_MAX = __GVT_GENL_CMD_MAX - 1
};

enum gvt_genl_attr {
	GVT_GENL_A_UNSPEC,
	GVT_GENL_A_PAD,

	/* A GPU (mdev parent); GPU_NAME is in vGPU messages too. */
	GVT_GENL_A_GPU_NAME,		/* string: "gvt_base.0", "0000:00:02.0" */
	GVT_GENL_A_GPU_VENDOR,		/* u16 */
	GVT_GENL_A_GPU_DEVICE,		/* u16 */
	GVT_GENL_A_GPU_REVISION,	/* u8 */
	GVT_GENL_A_GPU_SNAPSHOT_SIZE,	/* u64: golden_hw_state bytes */
	GVT_GENL_A_GPU_SNAPSHOT_CRC32,	/* u32: its header's crc32 */
	GVT_GENL_A_GPU_APERTURE_TOTAL,	/* u64 */
	GVT_GENL_A_GPU_APERTURE_FREE,	/* u64: not the host's, not a vGPU's */
	GVT_GENL_A_GPU_HIDDEN_TOTAL,	/* u64 */
	GVT_GENL_A_GPU_HIDDEN_FREE,	/* u64 */
	GVT_GENL_A_GPU_FENCES_TOTAL,	/* u32 */
	GVT_GENL_A_GPU_FENCES_FREE,	/* u32 */
	GVT_GENL_A_GPU_VGPUS,		/* u32: vGPUs on the GPU */

	/* A vGPU. */
	GVT_GENL_A_VGPU_UUID,		/* binary, 16 bytes, RFC 4122 (libuuid) order */
	GVT_GENL_A_VGPU_TYPE,		/* string: "gvt_base-GVTg_V5_4" */
	GVT_GENL_A_VGPU_ID,		/* u32: intel_vgpu/vgpu_id */
	GVT_GENL_A_VGPU_APERTURE_BASE,	/* u64 */
	GVT_GENL_A_VGPU_APERTURE_SIZE,	/* u64 */
	GVT_GENL_A_VGPU_HIDDEN_BASE,	/* u64 */
	GVT_GENL_A_VGPU_HIDDEN_SIZE,	/* u64 */
	GVT_GENL_A_VGPU_FENCE_BASE,	/* u32: first fence register */
	GVT_GENL_A_VGPU_FENCES,		/* u32 */
	GVT_GENL_A_VGPU_OPEN_COUNT,	/* u64: times opened */
	GVT_GENL_A_VGPU_OPENER_PID,	/* u32: opener's tgid, 0 when closed */
	GVT_GENL_A_VGPU_CFG_READS,	/* u64: read()/write() calls per region */
	GVT_GENL_A_VGPU_CFG_WRITES,	/* u64 */
	GVT_GENL_A_VGPU_MMIO_READS,	/* u64: BAR0 */
	GVT_GENL_A_VGPU_MMIO_WRITES,	/* u64 */
	GVT_GENL_A_VGPU_RESETS,		/* u64 */
	GVT_GENL_A_VGPU_OPENED_AT,	/* u64: CLOCK_BOOTTIME ns of the open, 0 when closed */

	__GVT_GENL_A_MAX,
	GVT_GENL_A_MAX = __GVT_GENL_A_MAX - 1
};

#endif /* GVT_GENL_H */
