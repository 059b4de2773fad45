/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which process has which vGPU open, as the kernel says on gvt_mdev's "gvt"
 * generic netlink family (api/gvt_genl.h): a dump when the family appears,
 * then its OPENED/CLOSED/REMOVED events. Removing an open vGPU makes the
 * kernel wait until its user closes it, so lifecycle refuses that instead of
 * blocking the daemon. On hosts without the family (upstream kvmgt) nothing
 * is known and nothing is refused.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "inventory.h"

typedef struct Manager Manager;

typedef struct Openers {
	struct nl_sock *sock;       /* joined to the events group; NULL without the family */
	int family;
	struct sd_event_source *io;
	struct sd_event_source *defer;  /* rejoin after a parent appeared */
	bool discard;               /* dropping what was queued before an overflow */
	struct {
		char uuid[GVT_UUID_STRING_MAX];
		uint32_t pid;
		uint64_t opened_at; /* CLOCK_BOOTTIME ns; 0: not told (a module without the attribute) */
		bool seen;          /* named by the dump in progress */
	} *open;
	size_t n_open;
} Openers;

/* The kernel's per-vGPU counters in a GET_VGPU message (api/gvt_genl.h). */
typedef enum VgpuCounter {
	VGPU_COUNTER_OPENS,         /* times opened */
	VGPU_COUNTER_CFG_READS,     /* read()/write() calls on the config space region */
	VGPU_COUNTER_CFG_WRITES,
	VGPU_COUNTER_MMIO_READS,    /* ... on BAR0 */
	VGPU_COUNTER_MMIO_WRITES,
	VGPU_COUNTER_RESETS,
	_VGPU_COUNTER_MAX,
} VgpuCounter;

/* What one message of the family says about a vGPU. */
typedef struct OpenerMessage {
	uint8_t cmd;                /* GVT_GENL_CMD_* */
	char uuid[GVT_UUID_STRING_MAX];
	char gpu[64];               /* its GPU as the kernel names it; empty: not told */
	uint32_t pid;               /* 0: none named */
	uint64_t opened_at;         /* CLOCK_BOOTTIME ns; 0: not told */
	bool has_counters;          /* GET_VGPU: counters[] as the kernel counts them */
	uint64_t counters[_VGPU_COUNTER_MAX];
} OpenerMessage;

/*
 * One netlink message (header included, len bytes as received) of the gvt
 * family: 0, or -EBADMSG for one that is malformed or names no vGPU.
 */
int openers_parse(const void *buf, size_t len, OpenerMessage *ret);

/* Joins the family if it is there, and again whenever a parent appears (a module reload). */
int openers_start(Manager *m);
void openers_stop(Manager *m);
/*
 * Every vGPU's counters now, asked of the kernel (a dump; CAP_NET_ADMIN):
 * *ret (free it) with *ret_n entries; -ENODATA without the family.
 */
int openers_counters(const Manager *m, OpenerMessage **ret, size_t *ret_n);
/* Reads what the kernel has sent so far: call before deciding on what is open. */
void openers_sync(Manager *m);
/* The pid that has vGPU uuid open; 0 if none or not known. */
uint32_t openers_pid(const Manager *m, const char *uuid);
/* When it opened it, CLOCK_BOOTTIME ns; 0 if not open or not known. */
uint64_t openers_opened_at(const Manager *m, const char *uuid);
typedef struct OpenerInfo OpenerInfo;
/* Who uses vGPU uuid (opener-info.h): empty with pid 0 if nobody or not known. Free with opener_info_done(). */
int openers_info(const Manager *m, const char *uuid, OpenerInfo *ret);
