// SPDX-License-Identifier: GPL-2.0-only
/*
 * gvt_mdev: the "gvt" generic netlink family (api/gvt_genl.h): dumps of the
 * GPUs (identity, snapshot, resources) and, for CAP_NET_ADMIN, of the vGPUs
 * (ranges, opener, counters); and the "events" multicast group, which only
 * CAP_NET_ADMIN may join, carrying each vGPU's created, opened, reset,
 * closed and removed.
 *
 * Dumps walk gvt_mdev_parents under gvt_mdev_registry_lock and resume by
 * position: cb->args[0] is the GPU, cb->args[1] the vGPU within it.
 */
#include <linux/pci_regs.h>
#include <net/genetlink.h>
#include <asm/unaligned.h>
#include "gvt_mdev.h"
#include "gvt_genl.h"

static struct genl_family gvt_mdev_genl_family;

enum gvt_mdev_genl_mcgrp {
	GVT_MDEV_GENL_MCGRP_EVENTS,
};

static const struct genl_multicast_group gvt_mdev_genl_mcgrps[] = {
	[GVT_MDEV_GENL_MCGRP_EVENTS] = {
		.name = GVT_GENL_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

static const struct nla_policy gvt_mdev_genl_policy[GVT_GENL_A_MAX + 1] = {
	[GVT_GENL_A_GPU_NAME] = { .type = NLA_NUL_STRING, .len = 63 },
	/* Its length is checked by hand: the policy's check answers -ERANGE. */
	[GVT_GENL_A_VGPU_UUID] = { .type = NLA_BINARY },
};

static const char *gvt_mdev_genl_gpu_name(const struct gvt_mdev_parent *p)
{
	return dev_name(gvt_base_gpu_device(p->gpu));
}

/* The put functions add one object's attributes; obj is what they describe. */
static int gvt_mdev_genl_put_gpu(struct sk_buff *skb, void *obj)
{
	struct gvt_mdev_parent *p = obj;
	const struct gvt_base_snapshot *snap = gvt_base_gpu_snapshot(p->gpu);
	const struct gvt_base_resources *res = gvt_base_gpu_resources(p->gpu);
	u64 low_free, high_free, fences_free;
	struct gvt_mdev_vgpu *vgpu;
	u32 vgpus = 0;

	list_for_each_entry(vgpu, &p->vgpus, node)
		vgpus++;
	mutex_lock(&p->lock);
	low_free = gvt_mdev_pool_free(&p->low_gm);
	high_free = gvt_mdev_pool_free(&p->high_gm);
	fences_free = gvt_mdev_pool_free(&p->fences);
	mutex_unlock(&p->lock);

	if (nla_put_string(skb, GVT_GENL_A_GPU_NAME, gvt_mdev_genl_gpu_name(p)) ||
	    nla_put_u16(skb, GVT_GENL_A_GPU_VENDOR,
			get_unaligned_le16(snap->cfg_space + PCI_VENDOR_ID)) ||
	    nla_put_u16(skb, GVT_GENL_A_GPU_DEVICE,
			get_unaligned_le16(snap->cfg_space + PCI_DEVICE_ID)) ||
	    nla_put_u8(skb, GVT_GENL_A_GPU_REVISION, snap->cfg_space[PCI_REVISION_ID]) ||
	    nla_put_u64_64bit(skb, GVT_GENL_A_GPU_SNAPSHOT_SIZE, snap->size, GVT_GENL_A_PAD) ||
	    nla_put_u32(skb, GVT_GENL_A_GPU_SNAPSHOT_CRC32, snap->crc32) ||
	    nla_put_u64_64bit(skb, GVT_GENL_A_GPU_APERTURE_TOTAL, res->aperture_size,
			      GVT_GENL_A_PAD) ||
	    nla_put_u64_64bit(skb, GVT_GENL_A_GPU_APERTURE_FREE, low_free, GVT_GENL_A_PAD) ||
	    nla_put_u64_64bit(skb, GVT_GENL_A_GPU_HIDDEN_TOTAL,
			      res->ggtt_size - res->aperture_size, GVT_GENL_A_PAD) ||
	    nla_put_u64_64bit(skb, GVT_GENL_A_GPU_HIDDEN_FREE, high_free, GVT_GENL_A_PAD) ||
	    nla_put_u32(skb, GVT_GENL_A_GPU_FENCES_TOTAL, res->fences) ||
	    nla_put_u32(skb, GVT_GENL_A_GPU_FENCES_FREE, fences_free) ||
	    nla_put_u32(skb, GVT_GENL_A_GPU_VGPUS, vgpus))
		return -EMSGSIZE;
	return 0;
}

/*
 * The mdev core keeps the UUID as a guid_t, whose first three fields are
 * little endian; userspace (libuuid, the sysfs name read left to right)
 * has RFC 4122's big-endian order.  Give the latter.
 */
static void gvt_mdev_vgpu_uuid(const struct gvt_mdev_vgpu *vgpu, u8 uuid[16])
{
	static const u8 order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
	const guid_t *guid = &to_mdev_device(vgpu->vdev.dev)->uuid;
	unsigned int i;

	for (i = 0; i < 16; i++)
		uuid[i] = guid->b[order[i]];
}

/* Identity only: what events carry. */
static int gvt_mdev_genl_put_vgpu_id(struct sk_buff *skb, void *obj)
{
	struct gvt_mdev_vgpu *vgpu = obj;
	u8 uuid[GVT_GENL_UUID_LEN];

	gvt_mdev_vgpu_uuid(vgpu, uuid);
	if (nla_put_string(skb, GVT_GENL_A_GPU_NAME, gvt_mdev_genl_gpu_name(vgpu->parent)) ||
	    nla_put(skb, GVT_GENL_A_VGPU_UUID, GVT_GENL_UUID_LEN, uuid) ||
	    nla_put_string(skb, GVT_GENL_A_VGPU_TYPE, kobject_name(&vgpu->type->type.kobj)) ||
	    nla_put_u32(skb, GVT_GENL_A_VGPU_ID, vgpu->alloc.id))
		return -EMSGSIZE;
	return 0;
}

static int gvt_mdev_genl_put_vgpu(struct sk_buff *skb, void *obj)
{
	struct gvt_mdev_vgpu *vgpu = obj;
	const struct gvt_mdev_alloc *a = &vgpu->alloc;
	struct gvt_mdev_counters c;
	u64 opened_at;
	pid_t opener;

	mutex_lock(&vgpu->lock);
	c = vgpu->counters;
	opener = vgpu->opener;
	opened_at = vgpu->opened_at;
	mutex_unlock(&vgpu->lock);

	if (gvt_mdev_genl_put_vgpu_id(skb, vgpu) ||
	    nla_put_u64_64bit(skb, GVT_GENL_A_VGPU_APERTURE_BASE, a->low_gm.base, GVT_GENL_A_PAD) ||
	    nla_put_u64_64bit(skb, GVT_GENL_A_VGPU_APERTURE_SIZE, a->low_gm.size, GVT_GENL_A_PAD) ||
	    nla_put_u64_64bit(skb, GVT_GENL_A_VGPU_HIDDEN_BASE, a->high_gm.base, GVT_GENL_A_PAD) ||
	    nla_put_u64_64bit(skb, GVT_GENL_A_VGPU_HIDDEN_SIZE, a->high_gm.size, GVT_GENL_A_PAD) ||
	    nla_put_u32(skb, GVT_GENL_A_VGPU_FENCE_BASE, a->fences.base) ||
	    nla_put_u32(skb, GVT_GENL_A_VGPU_FENCES, a->fences.size) ||
	    nla_put_u64_64bit(skb, GVT_GENL_A_VGPU_OPEN_COUNT, c.opens, GVT_GENL_A_PAD) ||
	    nla_put_u32(skb, GVT_GENL_A_VGPU_OPENER_PID, opener) ||
	    nla_put_u64_64bit(skb, GVT_GENL_A_VGPU_CFG_READS, c.cfg_reads, GVT_GENL_A_PAD) ||
	    nla_put_u64_64bit(skb, GVT_GENL_A_VGPU_CFG_WRITES, c.cfg_writes, GVT_GENL_A_PAD) ||
	    nla_put_u64_64bit(skb, GVT_GENL_A_VGPU_MMIO_READS, c.mmio_reads, GVT_GENL_A_PAD) ||
	    nla_put_u64_64bit(skb, GVT_GENL_A_VGPU_MMIO_WRITES, c.mmio_writes, GVT_GENL_A_PAD) ||
	    nla_put_u64_64bit(skb, GVT_GENL_A_VGPU_RESETS, c.resets, GVT_GENL_A_PAD) ||
	    nla_put_u64_64bit(skb, GVT_GENL_A_VGPU_OPENED_AT, opened_at, GVT_GENL_A_PAD))
		return -EMSGSIZE;
	return 0;
}

/* One message of cmd about obj, built by put; the header is undone on failure. */
static int gvt_mdev_genl_fill(struct sk_buff *skb, u32 portid, u32 seq, int flags, u8 cmd,
			      int (*put)(struct sk_buff *skb, void *obj), void *obj)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &gvt_mdev_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (put(skb, obj)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* Reply to a do request with one message; caller holds gvt_mdev_registry_lock. */
static int gvt_mdev_genl_reply(struct genl_info *info,
			       int (*put)(struct sk_buff *skb, void *obj), void *obj)
{
	struct sk_buff *msg;
	int ret;

	lockdep_assert_held(&gvt_mdev_registry_lock);
	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	ret = gvt_mdev_genl_fill(msg, info->snd_portid, info->snd_seq, 0,
				 info->genlhdr->cmd, put, obj);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

static int gvt_mdev_genl_get_gpu_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct gvt_mdev_parent *p;
	long i = 0;

	mutex_lock(&gvt_mdev_registry_lock);
	list_for_each_entry(p, &gvt_mdev_parents, node) {
		if (i++ < cb->args[0])
			continue;
		if (gvt_mdev_genl_fill(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				       NLM_F_MULTI, GVT_GENL_CMD_GET_GPU,
				       gvt_mdev_genl_put_gpu, p)) {
			i--;
			break;
		}
	}
	mutex_unlock(&gvt_mdev_registry_lock);
	cb->args[0] = i;
	return skb->len;
}

static int gvt_mdev_genl_get_gpu_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct gvt_mdev_parent *p;
	const char *name;
	int ret = -ENODEV;

	if (GENL_REQ_ATTR_CHECK(info, GVT_GENL_A_GPU_NAME)) {
		GENL_SET_ERR_MSG(info, "GVT_GENL_A_GPU_NAME is required");
		return -EINVAL;
	}
	name = nla_data(info->attrs[GVT_GENL_A_GPU_NAME]);
	mutex_lock(&gvt_mdev_registry_lock);
	list_for_each_entry(p, &gvt_mdev_parents, node) {
		if (!strcmp(gvt_mdev_genl_gpu_name(p), name)) {
			ret = gvt_mdev_genl_reply(info, gvt_mdev_genl_put_gpu, p);
			break;
		}
	}
	mutex_unlock(&gvt_mdev_registry_lock);
	if (ret == -ENODEV)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[GVT_GENL_A_GPU_NAME], "no such GPU");
	return ret;
}

static int gvt_mdev_genl_get_vgpu_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct gvt_mdev_vgpu *vgpu;
	struct gvt_mdev_parent *p;
	long gi = 0, vi;

	mutex_lock(&gvt_mdev_registry_lock);
	list_for_each_entry(p, &gvt_mdev_parents, node) {
		if (gi++ < cb->args[0])
			continue;
		vi = 0;
		list_for_each_entry(vgpu, &p->vgpus, node) {
			if (vi++ < cb->args[1])
				continue;
			if (gvt_mdev_genl_fill(skb, NETLINK_CB(cb->skb).portid,
					       cb->nlh->nlmsg_seq, NLM_F_MULTI,
					       GVT_GENL_CMD_GET_VGPU,
					       gvt_mdev_genl_put_vgpu, vgpu)) {
				cb->args[1] = vi - 1;
				goto out;
			}
		}
		cb->args[0] = gi;
		cb->args[1] = 0;
	}
out:
	mutex_unlock(&gvt_mdev_registry_lock);
	return skb->len;
}

static int gvt_mdev_genl_get_vgpu_doit(struct sk_buff *skb, struct genl_info *info)
{
	u8 uuid[GVT_GENL_UUID_LEN], want[GVT_GENL_UUID_LEN];
	struct gvt_mdev_vgpu *vgpu;
	struct gvt_mdev_parent *p;
	struct nlattr *attr;
	int ret = -ENODEV;

	if (GENL_REQ_ATTR_CHECK(info, GVT_GENL_A_VGPU_UUID)) {
		GENL_SET_ERR_MSG(info, "GVT_GENL_A_VGPU_UUID is required");
		return -EINVAL;
	}
	attr = info->attrs[GVT_GENL_A_VGPU_UUID];
	if (nla_len(attr) != GVT_GENL_UUID_LEN) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "GVT_GENL_A_VGPU_UUID is 16 bytes");
		return -EINVAL;
	}
	memcpy(want, nla_data(attr), GVT_GENL_UUID_LEN);
	mutex_lock(&gvt_mdev_registry_lock);
	list_for_each_entry(p, &gvt_mdev_parents, node) {
		list_for_each_entry(vgpu, &p->vgpus, node) {
			gvt_mdev_vgpu_uuid(vgpu, uuid);
			if (!memcmp(uuid, want, GVT_GENL_UUID_LEN)) {
				ret = gvt_mdev_genl_reply(info, gvt_mdev_genl_put_vgpu, vgpu);
				goto out;
			}
		}
	}
out:
	mutex_unlock(&gvt_mdev_registry_lock);
	if (ret == -ENODEV)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[GVT_GENL_A_VGPU_UUID], "no such vGPU");
	return ret;
}

static const struct genl_small_ops gvt_mdev_genl_ops[] = {
	{
		.cmd = GVT_GENL_CMD_GET_GPU,
		.doit = gvt_mdev_genl_get_gpu_doit,
		.dumpit = gvt_mdev_genl_get_gpu_dump,
	},
	{
		.cmd = GVT_GENL_CMD_GET_VGPU,
		.flags = GENL_ADMIN_PERM,
		.doit = gvt_mdev_genl_get_vgpu_doit,
		.dumpit = gvt_mdev_genl_get_vgpu_dump,
	},
};

static struct genl_family gvt_mdev_genl_family __ro_after_init = {
	.name = GVT_GENL_NAME,
	.version = GVT_GENL_VERSION,
	.maxattr = GVT_GENL_A_MAX,
	.policy = gvt_mdev_genl_policy,
	.module = THIS_MODULE,
	.small_ops = gvt_mdev_genl_ops,
	.n_small_ops = ARRAY_SIZE(gvt_mdev_genl_ops),
	.resv_start_op = GVT_GENL_CMD_MAX + 1,
	.mcgrps = gvt_mdev_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(gvt_mdev_genl_mcgrps),
};

/*
 * Multicast cmd about vgpu, with the opener if with_opener (and when it
 * opened, if opened_at); nobody listening is not an error.
 */
static void gvt_mdev_genl_send(struct gvt_mdev_vgpu *vgpu, u8 cmd, bool with_opener, pid_t opener,
			       u64 opened_at)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &gvt_mdev_genl_family, 0, cmd);
	if (!hdr)
		goto err;
	if (gvt_mdev_genl_put_vgpu_id(msg, vgpu))
		goto err;
	if (with_opener && nla_put_u32(msg, GVT_GENL_A_VGPU_OPENER_PID, opener))
		goto err;
	if (opened_at && nla_put_u64_64bit(msg, GVT_GENL_A_VGPU_OPENED_AT, opened_at, GVT_GENL_A_PAD))
		goto err;
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&gvt_mdev_genl_family, msg, 0, GVT_MDEV_GENL_MCGRP_EVENTS, GFP_KERNEL);
	return;
err:
	nlmsg_free(msg);
}

void gvt_mdev_genl_event(struct gvt_mdev_vgpu *vgpu, u8 cmd)
{
	gvt_mdev_genl_send(vgpu, cmd, false, 0, 0);
}

/* OPENED and CLOSED: the caller passes the opener (and OPENED's time), read where it changed them. */
void gvt_mdev_genl_event_opener(struct gvt_mdev_vgpu *vgpu, u8 cmd, pid_t opener, u64 opened_at)
{
	gvt_mdev_genl_send(vgpu, cmd, true, opener, opened_at);
}

int gvt_mdev_genl_init(void)
{
	return genl_register_family(&gvt_mdev_genl_family);
}

void gvt_mdev_genl_exit(void)
{
	genl_unregister_family(&gvt_mdev_genl_family);
}
