/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Who uses a vGPU: the process that has it open (its pid from the gvt genl
 * family, openers.c), that process's name, the VM's name when it is a QEMU
 * (its -name argument, which libvirt passes as "guest=NAME,..."), and since
 * when it has the vGPU open (the kernel's CLOCK_BOOTTIME of the open, told
 * on the wall clock). What /proc no longer has (the process exited meanwhile)
 * stays NULL.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef struct OpenerInfo {
	uint32_t pid;             /* 0: not open, or not known */
	char *name;               /* /proc/PID/comm */
	char *vm;                 /* QEMU's -name; NULL for another program or none given */
	uint64_t since_usec;      /* CLOCK_REALTIME of the open, µs; 0: not known */
} OpenerInfo;

void opener_info_done(OpenerInfo *i);

/* Fills ret for pid (0: an empty ret), opened at opened_at_ns on CLOCK_BOOTTIME (0: not known). */
int opener_info_fill(uint32_t pid, uint64_t opened_at_ns, OpenerInfo *ret);

/*
 * The VM name in a QEMU command line (len bytes of NUL-separated arguments,
 * as /proc/PID/cmdline): the guest of the last -name (or --name), unescaped
 * (",," is a comma). -ENOENT if it has none or argv[0] is not a QEMU, -EINVAL
 * for an empty or unprintable name.
 */
int opener_qemu_vm_name(const char *cmdline, size_t len, char **ret);
