// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernel.h"
#include "macro.h"
#include "opener-info.h"

/* Longest VM name kept: libvirt's own limit is far lower in practice. */
#define VM_NAME_MAX 255

void opener_info_done(OpenerInfo *i)
{
	free(i->name);
	free(i->vm);
	*i = (OpenerInfo) {};
}

static bool is_qemu(const char *argv0)
{
	const char *base = strrchr(argv0, '/');

	base = base ? base + 1 : argv0;
	return strncmp(base, "qemu", 4) == 0;
}

/*
 * The guest name in a -name value: QEMU's option syntax, "guest=" its key
 * (or implied for a first part without one), parts split on single commas.
 */
static int guest_of(const char *value, char **ret)
{
	char name[VM_NAME_MAX + 1];
	size_t n = 0;
	bool first = true;

	for (const char *p = value; *p;) {
		const char *q = p;
		bool guest;

		/* one part: up to a comma that is not ",," */
		while (*q && !(q[0] == ',' && q[1] != ','))
			q += q[0] == ',' ? 2 : 1;
		guest = strncmp(p, "guest=", 6) == 0 || (first && !memchr(p, '=', q - p));
		if (guest) {
			if (strncmp(p, "guest=", 6) == 0)
				p += 6;
			n = 0;
			for (; p < q; p++) {
				if (p[0] == ',' && p[1] == ',')
					p++;
				if ((unsigned char) *p < 0x20 || *p == 0x7f || n == VM_NAME_MAX)
					return -EINVAL;
				name[n++] = *p;
			}
		}
		first = false;
		p = *q ? q + 1 : q;
	}
	if (n == 0)
		return -EINVAL;
	name[n] = '\0';
	*ret = strdup(name);
	return *ret ? 0 : -ENOMEM;
}

int opener_qemu_vm_name(const char *cmdline, size_t len, char **ret)
{
	const char *end = cmdline + len, *value = NULL;

	if (len == 0 || !is_qemu(cmdline))
		return -ENOENT;
	for (const char *a = cmdline + strnlen(cmdline, len) + 1; a < end; a += strnlen(a, end - a) + 1) {
		const char *next = a + strnlen(a, end - a) + 1;

		if ((streq(a, "-name") || streq(a, "--name")) && next < end)
			value = next;
	}
	if (!value)
		return -ENOENT;
	/* the value is NUL-terminated: the buffer is, and each argument */
	return guest_of(value, ret);
}

static uint64_t now_usec(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int opener_info_fill(uint32_t pid, uint64_t opened_at_ns, OpenerInfo *ret)
{
	_cleanup_free_ char *cmdline = NULL;
	size_t len;

	*ret = (OpenerInfo) { .pid = pid };
	if (!pid)
		return 0;
	(void) kernel_process_name(pid, &ret->name);
	if (kernel_process_cmdline(pid, &cmdline, &len) >= 0)
		(void) opener_qemu_vm_name(cmdline, len, &ret->vm);
	if (opened_at_ns) {
		uint64_t boot = now_usec(CLOCK_BOOTTIME), at = opened_at_ns / 1000;

		ret->since_usec = at <= boot ? now_usec(CLOCK_REALTIME) - (boot - at) : 0;
	}
	return 0;
}
