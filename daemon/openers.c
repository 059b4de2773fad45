// SPDX-License-Identifier: GPL-2.0-only
#include <assert.h>
#include <errno.h>
#include <linux/genetlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-event.h>

#include "gvt_genl.h"
#include "log.h"
#include "manager.h"
#include "opener-info.h"
#include "openers.h"

static struct nla_policy policy[GVT_GENL_A_MAX + 1] = {
	[GVT_GENL_A_GPU_NAME] = { .type = NLA_STRING },
	[GVT_GENL_A_VGPU_TYPE] = { .type = NLA_STRING },
	[GVT_GENL_A_VGPU_UUID] = { .minlen = GVT_GENL_UUID_LEN, .maxlen = GVT_GENL_UUID_LEN },
	[GVT_GENL_A_VGPU_OPENER_PID] = { .type = NLA_U32 },
	[GVT_GENL_A_VGPU_OPENED_AT] = { .type = NLA_U64 },
	[GVT_GENL_A_VGPU_OPEN_COUNT] = { .type = NLA_U64 },
	[GVT_GENL_A_VGPU_CFG_READS] = { .type = NLA_U64 },
	[GVT_GENL_A_VGPU_CFG_WRITES] = { .type = NLA_U64 },
	[GVT_GENL_A_VGPU_MMIO_READS] = { .type = NLA_U64 },
	[GVT_GENL_A_VGPU_MMIO_WRITES] = { .type = NLA_U64 },
	[GVT_GENL_A_VGPU_RESETS] = { .type = NLA_U64 },
};

/* The counters of a GET_VGPU message, by VgpuCounter. */
static const int counter_attrs[_VGPU_COUNTER_MAX] = {
	[VGPU_COUNTER_OPENS] = GVT_GENL_A_VGPU_OPEN_COUNT,
	[VGPU_COUNTER_CFG_READS] = GVT_GENL_A_VGPU_CFG_READS,
	[VGPU_COUNTER_CFG_WRITES] = GVT_GENL_A_VGPU_CFG_WRITES,
	[VGPU_COUNTER_MMIO_READS] = GVT_GENL_A_VGPU_MMIO_READS,
	[VGPU_COUNTER_MMIO_WRITES] = GVT_GENL_A_VGPU_MMIO_WRITES,
	[VGPU_COUNTER_RESETS] = GVT_GENL_A_VGPU_RESETS,
};

static void uuid_format(const uint8_t *b, char out[GVT_UUID_STRING_MAX])
{
	snprintf(out, GVT_UUID_STRING_MAX,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
		 b[15]);
}

static ssize_t find(const Openers *o, const char *uuid)
{
	for (size_t i = 0; i < o->n_open; i++)
		if (streq(o->open[i].uuid, uuid))
			return (ssize_t) i;
	return -1;
}

uint32_t openers_pid(const Manager *m, const char *uuid)
{
	ssize_t i = find(&m->openers, uuid);

	return i < 0 ? 0 : m->openers.open[i].pid;
}

uint64_t openers_opened_at(const Manager *m, const char *uuid)
{
	ssize_t i = find(&m->openers, uuid);

	return i < 0 ? 0 : m->openers.open[i].opened_at;
}

int openers_info(const Manager *m, const char *uuid, OpenerInfo *ret)
{
	return opener_info_fill(openers_pid(m, uuid), openers_opened_at(m, uuid), ret);
}

/* pid 0: closed. opened_at (CLOCK_BOOTTIME ns, 0: not told) is kept from the first message that tells it. */
static void set_pid(Manager *m, const char *uuid_in, uint32_t pid, uint64_t opened_at)
{
	Openers *o = &m->openers;
	char uuid[GVT_UUID_STRING_MAX];
	ssize_t i;
	const Vgpu *v;

	/* uuid_in may point into the table, whose entries move below. */
	snprintf(uuid, sizeof(uuid), "%s", uuid_in);
	i = find(o, uuid);

	if (i >= 0) {
		o->open[i].seen = true;
		if (o->open[i].pid == pid && opened_at && !o->open[i].opened_at)
			o->open[i].opened_at = opened_at;
	}
	if ((i < 0 && pid == 0) || (i >= 0 && o->open[i].pid == pid))
		return;
	if (pid == 0) {
		log_info("vGPU %s closed by process %u.", uuid, o->open[i].pid);
		o->open[i] = o->open[--o->n_open];
	} else if (i >= 0) {
		o->open[i].pid = pid;
		o->open[i].opened_at = opened_at;
	} else {
		void *p = reallocarray(o->open, o->n_open + 1, sizeof(*o->open));

		if (!p) {
			log_oom();
			return;
		}
		o->open = p;
		strcpy(o->open[o->n_open].uuid, uuid);
		o->open[o->n_open].seen = true;
		o->open[o->n_open].opened_at = opened_at;
		o->open[o->n_open++].pid = pid;
	}
	if (pid)
		log_info("vGPU %s opened by process %u.", uuid, pid);
	v = inventory_find_vgpu(&m->inventory, uuid);
	if (v)
		manager_emit(m, EVENT_VGPU_CHANGED, v, NULL);
}

/* Nothing is known any more: every vGPU counts as closed. */
static void forget_all(Manager *m)
{
	for (size_t i = m->openers.n_open; i > 0; i--)
		set_pid(m, m->openers.open[i - 1].uuid, 0, 0);
}

int openers_parse(const void *buf, size_t len, OpenerMessage *ret)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *) buf;
	struct nlattr *tb[GVT_GENL_A_MAX + 1];

	assert(buf || len == 0);
	assert(ret);
	/* libnl trusts nlmsg_len: it must not claim more than there is. */
	if (len < NLMSG_HDRLEN || nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > len)
		return -EBADMSG;
	if (genlmsg_parse(nlh, 0, tb, GVT_GENL_A_MAX, policy) < 0 || !tb[GVT_GENL_A_VGPU_UUID] ||
	    nla_len(tb[GVT_GENL_A_VGPU_UUID]) != GVT_GENL_UUID_LEN)
		return -EBADMSG;
	*ret = (OpenerMessage) {
		.cmd = genlmsg_hdr(nlh)->cmd,
		.pid = tb[GVT_GENL_A_VGPU_OPENER_PID] ? nla_get_u32(tb[GVT_GENL_A_VGPU_OPENER_PID]) : 0,
		.opened_at = tb[GVT_GENL_A_VGPU_OPENED_AT] ? nla_get_u64(tb[GVT_GENL_A_VGPU_OPENED_AT]) : 0,
	};
	uuid_format(nla_data(tb[GVT_GENL_A_VGPU_UUID]), ret->uuid);
	if (tb[GVT_GENL_A_GPU_NAME])
		snprintf(ret->gpu, sizeof(ret->gpu), "%s", nla_get_string(tb[GVT_GENL_A_GPU_NAME]));
	for (VgpuCounter c = 0; c < _VGPU_COUNTER_MAX; c++)
		if (tb[counter_attrs[c]]) {
			ret->counters[c] = nla_get_u64(tb[counter_attrs[c]]);
			ret->has_counters = true;
		}
	return 0;
}

/* One event, or one vGPU of the dump. */
static int on_message(struct nl_msg *msg, void *userdata)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	OpenerMessage om;

	if (((Manager *) userdata)->openers.discard)
		return NL_SKIP;
	if (openers_parse(nlh, nlh->nlmsg_len, &om) < 0) {
		log_debug("Ignoring a malformed message of the gvt genl family.");
		return NL_SKIP;
	}
	switch (om.cmd) {
	case GVT_GENL_CMD_GET_VGPU:
	case GVT_GENL_CMD_VGPU_OPENED:
		set_pid(userdata, om.uuid, om.pid, om.opened_at);
		break;
	case GVT_GENL_CMD_VGPU_CLOSED:  /* still names the opener */
	case GVT_GENL_CMD_VGPU_REMOVED:
		set_pid(userdata, om.uuid, 0, 0);
		break;
	}
	return NL_OK;
}

/* A GET_VGPU dump on a socket of its own, synchronous (a few vGPUs): each message to cb; a libnl error. */
static int dump_vgpus(const Openers *o, int (*cb)(struct nl_msg *, void *), void *userdata)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_msg *msg = NULL;
	int r = sk ? 0 : -NLE_NOMEM;

	if (r >= 0)
		r = genl_connect(sk);
	if (r >= 0 && !(msg = nlmsg_alloc()))
		r = -NLE_NOMEM;
	if (r >= 0 && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, o->family, 0, NLM_F_DUMP, GVT_GENL_CMD_GET_VGPU,
				   GVT_GENL_VERSION))
		r = -NLE_NOMEM;
	if (r >= 0)
		r = nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, cb, userdata);
	if (r >= 0)
		r = nl_send_auto(sk, msg);
	if (r >= 0)
		r = nl_recvmsgs_default(sk);
	nlmsg_free(msg);
	nl_socket_free(sk);
	return r;
}

/*
 * What is open now. Entries the dump does not name are closed; the others
 * change only if their pid did, so a reread emits nothing for what stayed
 * the same.
 */
static void dump(Manager *m)
{
	Openers *o = &m->openers;
	int r;

	for (size_t i = 0; i < o->n_open; i++)
		o->open[i].seen = false;
	r = dump_vgpus(o, on_message, m);
	if (r < 0) {
		/* Keep what the events said; they go on arriving. */
		log_warning("Failed to ask the gvt genl family which vGPUs are open: %s", nl_geterror(r));
		return;
	}
	for (size_t i = o->n_open; i > 0; i--)
		if (!o->open[i - 1].seen)
			set_pid(m, o->open[i - 1].uuid, 0, 0);
}

typedef struct CountersDump {
	OpenerMessage *vgpus;
	size_t n, size;
	bool failed;
} CountersDump;

static int on_counters(struct nl_msg *msg, void *userdata)
{
	CountersDump *d = userdata;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	OpenerMessage om = {};

	if (openers_parse(nlh, nlh->nlmsg_len, &om) < 0 || om.cmd != GVT_GENL_CMD_GET_VGPU)
		return NL_SKIP;
	if (d->n == d->size) {
		OpenerMessage *n = reallocarray(d->vgpus, d->size * 2 + 8, sizeof(*n));

		if (!n) {
			d->failed = true;
			return NL_STOP;
		}
		d->vgpus = n;
		d->size = d->size * 2 + 8;
	}
	d->vgpus[d->n++] = om;
	return NL_OK;
}

int openers_counters(const Manager *m, OpenerMessage **ret, size_t *ret_n)
{
	CountersDump d = {};
	int r;

	*ret = NULL;
	*ret_n = 0;
	if (!m->openers.sock)
		return -ENODATA;
	r = dump_vgpus(&m->openers, on_counters, &d);
	if (r < 0 || d.failed) {
		static bool warned;

		free(d.vgpus);
		if (d.failed)
			return -ENOMEM;
		/* once: a scraper asks every few seconds */
		if (!warned)
			log_warning("Failed to ask the gvt genl family for the vGPUs' counters (the metrics leave them "
				    "out): %s", nl_geterror(r));
		warned = true;
		return -EIO;
	}
	*ret = d.vgpus;
	*ret_n = d.n;
	return 0;
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	openers_sync(userdata);
	return 0;
}

void openers_sync(Manager *m)
{
	Openers *o = &m->openers;
	int r;

	if (!o->sock)
		return;
	/* Non-blocking: returns once the queue is empty. */
	while ((r = nl_recvmsgs_default(o->sock)) >= 0)
		;
	if (r == -NLE_AGAIN)
		return;
	/*
	 * NLE_NOMEM is ENOBUFS: the socket overflowed and events were lost.
	 * What is still queued is older than the dump below and could undo
	 * it (an OPENED whose CLOSED was lost): drop it, then ask.
	 */
	log_warning("Reading gvt genl events failed (%s); asking again which vGPUs are open.", nl_geterror(r));
	o->discard = true;
	for (unsigned i = 0; i < 1024 && nl_recvmsgs_default(o->sock) != -NLE_AGAIN; i++)
		;
	o->discard = false;
	dump(m);
}

static void disconnect(Openers *o)
{
	o->io = sd_event_source_disable_unref(o->io);
	nl_socket_free(o->sock);
	o->sock = NULL;
	o->family = 0;
}

/* (Re)join the family: it gets a new id each time gvt_mdev loads. */
static int connect_family(Manager *m)
{
	Openers *o = &m->openers;
	struct nl_sock *sk;
	int family, group, r;

	sk = nl_socket_alloc();
	if (!sk)
		return log_oom();
	r = genl_connect(sk);
	if (r < 0) {
		nl_socket_free(sk);
		return log_warning_errno(-EIO, "Cannot open a generic netlink socket: %s", nl_geterror(r));
	}
	family = genl_ctrl_resolve(sk, GVT_GENL_NAME);
	group = family < 0 ? family : genl_ctrl_resolve_grp(sk, GVT_GENL_NAME, GVT_GENL_MCGRP_EVENTS);
	if (family < 0 || group < 0) {
		r = family < 0 ? family : group;
		nl_socket_free(sk);
		if (r != -NLE_OBJ_NOTFOUND)
			/* A failed lookup, not an answer: keep what is known. */
			return log_warning_errno(-EIO, "Cannot look up the gvt genl family: %s", nl_geterror(r));
		if (o->sock)
			log_info("The gvt genl family is gone: who has vGPUs open is unknown.");
		disconnect(o);
		forget_all(m);
		return 0;
	}
	if (o->sock && o->family == family) {
		nl_socket_free(sk);
		return 0;
	}
	disconnect(o);
	/* Not joined, nothing known: nothing may be refused on stale entries. */
	forget_all(m);
	/* Events are not replies: no sequence numbers to check. */
	nl_socket_disable_seq_check(sk);
	r = nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_message, m);
	if (r >= 0)
		r = nl_socket_add_membership(sk, group);
	if (r >= 0)
		r = nl_socket_set_nonblocking(sk);
	if (r < 0) {
		nl_socket_free(sk);
		return log_warning_errno(-EIO, "Cannot join the gvt genl events: %s", nl_geterror(r));
	}
	r = sd_event_add_io(m->event, &o->io, nl_socket_get_fd(sk), EPOLLIN, on_io, m);
	if (r < 0) {
		nl_socket_free(sk);
		return log_warning_errno(r, "Cannot watch the gvt genl events: %m");
	}
	o->sock = sk;
	o->family = family;
	/* Joined first, then asked: an open in between arrives as an event after the dump. */
	dump(m);
	log_debug("Joined the gvt genl family (id %d): %zu vGPU(s) open.", family, o->n_open);
	return 0;
}

static int on_defer(sd_event_source *s, void *userdata)
{
	(void) connect_family(userdata);
	return 0;
}

/*
 * A parent appears from inside the inventory's update: look at the family
 * once the update (and its vGPU-added events) is done, not in the middle.
 */
static void on_event(Manager *m, const Event *e, void *userdata)
{
	if ((e->kind == EVENT_PARENT_ADDED || e->kind == EVENT_MODULES_CHANGED) && m->openers.defer)
		(void) sd_event_source_set_enabled(m->openers.defer, SD_EVENT_ONESHOT);
}

int openers_start(Manager *m)
{
	int r;

	/* The family is the kernel's, not below a test root: only the real root has it. */
	if (!isempty(m->config.root) && !streq(m->config.root, "/"))
		return 0;
	r = sd_event_add_defer(m->event, &m->openers.defer, on_defer, m);
	if (r >= 0)
		r = sd_event_source_set_enabled(m->openers.defer, SD_EVENT_OFF);
	if (r >= 0)
		r = manager_subscribe(m, on_event, NULL);
	if (r < 0)
		return log_error_errno(r, "Failed to follow module changes for the gvt genl family: %m");
	/* Without the family gvtd works on, knowing nothing of opens: not fatal. */
	(void) connect_family(m);
	return 0;
}

void openers_stop(Manager *m)
{
	manager_unsubscribe(m, on_event, NULL);
	m->openers.defer = sd_event_source_disable_unref(m->openers.defer);
	disconnect(&m->openers);
	free(m->openers.open);
	m->openers.open = NULL;
	m->openers.n_open = 0;
}
