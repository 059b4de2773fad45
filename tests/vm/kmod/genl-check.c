// SPDX-License-Identifier: GPL-2.0-only
/*
 * genl-check: a libnl client of gvt_mdev's "gvt" generic netlink family.
 *
 *   genl-check gpus               dump the GPUs: one line each,
 *                                 "name vendor device rev snapsize crc32 aperture
 *                                  aperture_free hidden hidden_free fences
 *                                  fences_free vgpus"
 *   genl-check vgpus              dump the vGPUs: one UUID a line
 *   genl-check vgpu UUID          one vGPU: "key value" lines
 *   genl-check monitor N SECONDS  join "events"; print "ready", then one line
 *                                 per event ("created UUID TYPE ID [PID]")
 *                                 until N events or SECONDS passed
 *   genl-check malformed          requests the kernel must refuse: prints
 *                                 "errno: extack message" per request
 *
 * Errors print "error: <strerror>" and exit 1.
 */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uuid/uuid.h>

#include "gvt_genl.h"

static int family;

static struct nla_policy policy[GVT_GENL_A_MAX + 1] = {
	[GVT_GENL_A_GPU_NAME] = { .type = NLA_STRING },
	[GVT_GENL_A_VGPU_TYPE] = { .type = NLA_STRING },
};

static const char *const event_names[] = {
	[GVT_GENL_CMD_VGPU_CREATED] = "created",
	[GVT_GENL_CMD_VGPU_REMOVED] = "removed",
	[GVT_GENL_CMD_VGPU_OPENED] = "opened",
	[GVT_GENL_CMD_VGPU_CLOSED] = "closed",
	[GVT_GENL_CMD_VGPU_RESET] = "reset",
};

static void uuid_str(struct nlattr *a, char *out)
{
	if (a && nla_len(a) == GVT_GENL_UUID_LEN)
		uuid_unparse_lower(nla_data(a), out);
	else
		strcpy(out, "?");
}

static struct nl_sock *connect_family(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1;

	if (!sk || genl_connect(sk)) {
		fprintf(stderr, "error: cannot connect to generic netlink\n");
		exit(1);
	}
	family = genl_ctrl_resolve(sk, GVT_GENL_NAME);
	if (family < 0) {
		fprintf(stderr, "error: family %s: %s\n", GVT_GENL_NAME, nl_geterror(family));
		exit(1);
	}
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	return sk;
}

static int parse(struct nl_msg *msg, struct nlattr **tb, int *cmd)
{
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));

	*cmd = gh->cmd;
	return genlmsg_parse(nlmsg_hdr(msg), 0, tb, GVT_GENL_A_MAX, policy);
}

static unsigned long long u(struct nlattr **tb, int attr)
{
	struct nlattr *a = tb[attr];

	if (!a)
		return ~0ULL;
	switch (nla_len(a)) {
	case 1:
		return nla_get_u8(a);
	case 2:
		return nla_get_u16(a);
	case 4:
		return nla_get_u32(a);
	}
	return nla_get_u64(a);
}

static int print_gpu(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[GVT_GENL_A_MAX + 1];
	int cmd;

	if (parse(msg, tb, &cmd) || !tb[GVT_GENL_A_GPU_NAME])
		return NL_SKIP;
	printf("%s %04llx %04llx %02llx %llu %08llx %llu %llu %llu %llu %llu %llu %llu\n",
	       nla_get_string(tb[GVT_GENL_A_GPU_NAME]), u(tb, GVT_GENL_A_GPU_VENDOR),
	       u(tb, GVT_GENL_A_GPU_DEVICE), u(tb, GVT_GENL_A_GPU_REVISION),
	       u(tb, GVT_GENL_A_GPU_SNAPSHOT_SIZE), u(tb, GVT_GENL_A_GPU_SNAPSHOT_CRC32),
	       u(tb, GVT_GENL_A_GPU_APERTURE_TOTAL), u(tb, GVT_GENL_A_GPU_APERTURE_FREE),
	       u(tb, GVT_GENL_A_GPU_HIDDEN_TOTAL), u(tb, GVT_GENL_A_GPU_HIDDEN_FREE),
	       u(tb, GVT_GENL_A_GPU_FENCES_TOTAL), u(tb, GVT_GENL_A_GPU_FENCES_FREE),
	       u(tb, GVT_GENL_A_GPU_VGPUS));
	return NL_OK;
}

static int print_vgpu_uuid(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[GVT_GENL_A_MAX + 1];
	char s[40];
	int cmd;

	if (parse(msg, tb, &cmd))
		return NL_SKIP;
	uuid_str(tb[GVT_GENL_A_VGPU_UUID], s);
	printf("%s\n", s);
	return NL_OK;
}

static const struct {
	int attr;
	const char *name;
} vgpu_fields[] = {
	{ GVT_GENL_A_VGPU_ID, "id" },
	{ GVT_GENL_A_VGPU_APERTURE_BASE, "aperture_base" },
	{ GVT_GENL_A_VGPU_APERTURE_SIZE, "aperture_size" },
	{ GVT_GENL_A_VGPU_HIDDEN_BASE, "hidden_base" },
	{ GVT_GENL_A_VGPU_HIDDEN_SIZE, "hidden_size" },
	{ GVT_GENL_A_VGPU_FENCE_BASE, "fence_base" },
	{ GVT_GENL_A_VGPU_FENCES, "fences" },
	{ GVT_GENL_A_VGPU_OPEN_COUNT, "open_count" },
	{ GVT_GENL_A_VGPU_OPENER_PID, "opener_pid" },
	{ GVT_GENL_A_VGPU_CFG_READS, "cfg_reads" },
	{ GVT_GENL_A_VGPU_CFG_WRITES, "cfg_writes" },
	{ GVT_GENL_A_VGPU_MMIO_READS, "mmio_reads" },
	{ GVT_GENL_A_VGPU_MMIO_WRITES, "mmio_writes" },
	{ GVT_GENL_A_VGPU_RESETS, "resets" },
	{ GVT_GENL_A_VGPU_OPENED_AT, "opened_at" },
};

static int print_vgpu(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[GVT_GENL_A_MAX + 1];
	char s[40];
	size_t i;
	int cmd;

	if (parse(msg, tb, &cmd))
		return NL_SKIP;
	uuid_str(tb[GVT_GENL_A_VGPU_UUID], s);
	printf("uuid %s\n", s);
	printf("gpu %s\n", tb[GVT_GENL_A_GPU_NAME] ? nla_get_string(tb[GVT_GENL_A_GPU_NAME]) : "?");
	printf("type %s\n", tb[GVT_GENL_A_VGPU_TYPE] ? nla_get_string(tb[GVT_GENL_A_VGPU_TYPE]) : "?");
	for (i = 0; i < sizeof(vgpu_fields) / sizeof(vgpu_fields[0]); i++)
		printf("%s %llu\n", vgpu_fields[i].name, u(tb, vgpu_fields[i].attr));
	return NL_OK;
}

static int print_event(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[GVT_GENL_A_MAX + 1];
	int *left = arg, cmd;
	char s[40];

	if (parse(msg, tb, &cmd) || cmd < GVT_GENL_CMD_VGPU_CREATED || cmd > GVT_GENL_CMD_MAX)
		return NL_SKIP;
	uuid_str(tb[GVT_GENL_A_VGPU_UUID], s);
	printf("%s %s %s %llu", event_names[cmd], s,
	       tb[GVT_GENL_A_VGPU_TYPE] ? nla_get_string(tb[GVT_GENL_A_VGPU_TYPE]) : "?",
	       u(tb, GVT_GENL_A_VGPU_ID));
	if (tb[GVT_GENL_A_VGPU_OPENER_PID])
		printf(" %llu", u(tb, GVT_GENL_A_VGPU_OPENER_PID));
	printf("\n");
	fflush(stdout);
	(*left)--;
	return NL_OK;
}

struct reply {
	int error;		/* -errno from the kernel, 0 */
	char text[256];		/* its extended-ack message */
};

static int error_handler(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)err - 1;
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	struct reply *r = arg;
	int off = sizeof(*err);

	r->error = err->error;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
		if (!nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)err + off),
			       nlh->nlmsg_len - NLMSG_HDRLEN - off, NULL) && tb[NLMSGERR_ATTR_MSG])
			snprintf(r->text, sizeof(r->text), "%s",
				 (char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	}
	return NL_STOP;
}

/*
 * Send cmd (a dump if flags has NLM_F_DUMP) with an optional attribute and
 * run handler on each reply.  Returns 0 or -errno; r gets the extack.
 */
static int request(struct nl_sock *sk, int cmd, int flags, int attr, const void *data, int len,
		   nl_recvmsg_msg_cb_t handler, struct reply *r)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret;

	memset(r, 0, sizeof(*r));
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags, cmd, GVT_GENL_VERSION);
	if (attr)
		nla_put(msg, attr, len, data);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, handler, NULL);
	nl_cb_err(cb, NL_CB_CUSTOM, error_handler, r);
	ret = nl_send_auto(sk, msg);
	if (ret >= 0)
		ret = nl_recvmsgs(sk, cb);
	if (ret >= 0 && !r->error && !(flags & NLM_F_DUMP))
		ret = nl_wait_for_ack(sk);
	nlmsg_free(msg);
	nl_cb_put(cb);
	if (r->error)
		return r->error;
	return ret < 0 ? -EIO : 0;
}

static int run(struct nl_sock *sk, int cmd, int flags, int attr, const void *data, int len,
	       nl_recvmsg_msg_cb_t handler)
{
	struct reply r;
	int ret = request(sk, cmd, flags, attr, data, len, handler, &r);

	if (ret < 0) {
		printf("error: %s%s%s\n", strerror(-ret), *r.text ? ": " : "", r.text);
		return 1;
	}
	return 0;
}

static int cmd_monitor(int n, int seconds)
{
	struct nl_sock *sk = connect_family();
	int grp = genl_ctrl_resolve_grp(sk, GVT_GENL_NAME, GVT_GENL_MCGRP_EVENTS);
	time_t end = time(NULL) + seconds;
	struct pollfd p;
	int ret;

	if (grp < 0) {
		printf("error: group: %s\n", nl_geterror(grp));
		return 1;
	}
	nl_socket_disable_seq_check(sk);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, print_event, &n);
	ret = nl_socket_add_membership(sk, grp);
	if (ret < 0) {
		printf("error: join: %s\n", nl_geterror(ret));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	p.fd = nl_socket_get_fd(sk);
	p.events = POLLIN;
	while (n > 0 && time(NULL) < end) {
		if (poll(&p, 1, 200) == 1)
			nl_recvmsgs_default(sk);
	}
	nl_socket_free(sk);
	return n > 0;
}

static int ack_only(struct nl_msg *msg, void *arg)
{
	return NL_OK;
}

/* Each malformed request: "<errno name>: <extack message>". */
static int cmd_malformed(void)
{
	struct nl_sock *sk = connect_family();
	uint8_t short_uuid[3] = { 1, 2, 3 };
	uint8_t unknown[GVT_GENL_UUID_LEN] = { 0 };
	const struct {
		const char *what;
		int cmd, attr;
		const void *data;
		int len;
	} reqs[] = {
		{ "vgpu with a 3-byte uuid", GVT_GENL_CMD_GET_VGPU, GVT_GENL_A_VGPU_UUID, short_uuid, 3 },
		{ "vgpu without uuid", GVT_GENL_CMD_GET_VGPU, 0, NULL, 0 },
		{ "vgpu unknown uuid", GVT_GENL_CMD_GET_VGPU, GVT_GENL_A_VGPU_UUID, unknown, 16 },
		{ "gpu without name", GVT_GENL_CMD_GET_GPU, 0, NULL, 0 },
		{ "gpu unknown name", GVT_GENL_CMD_GET_GPU, GVT_GENL_A_GPU_NAME, "nope", 5 },
		{ "unknown command", GVT_GENL_CMD_VGPU_CREATED, 0, NULL, 0 },
	};
	struct reply r;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		ret = request(sk, reqs[i].cmd, 0, reqs[i].attr, reqs[i].data, reqs[i].len,
			      ack_only, &r);
		printf("%s: %s: %s\n", reqs[i].what, ret < 0 ? strerror(-ret) : "accepted", r.text);
	}
	nl_socket_free(sk);
	return 0;
}

int main(int argc, char **argv)
{
	struct nl_sock *sk;
	uuid_t id;

	if (argc == 4 && !strcmp(argv[1], "monitor"))
		return cmd_monitor(atoi(argv[2]), atoi(argv[3]));
	if (argc == 2 && !strcmp(argv[1], "malformed"))
		return cmd_malformed();
	sk = connect_family();
	if (argc == 2 && !strcmp(argv[1], "gpus"))
		return run(sk, GVT_GENL_CMD_GET_GPU, NLM_F_DUMP, 0, NULL, 0, print_gpu);
	if (argc == 2 && !strcmp(argv[1], "vgpus"))
		return run(sk, GVT_GENL_CMD_GET_VGPU, NLM_F_DUMP, 0, NULL, 0, print_vgpu_uuid);
	if (argc == 3 && !strcmp(argv[1], "vgpu") && !uuid_parse(argv[2], id))
		return run(sk, GVT_GENL_CMD_GET_VGPU, 0, GVT_GENL_A_VGPU_UUID, id, sizeof(id),
			   print_vgpu);
	fprintf(stderr, "usage: genl-check gpus | vgpus | vgpu UUID | monitor N SECONDS | malformed\n");
	return 2;
}
