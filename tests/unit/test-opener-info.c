// SPDX-License-Identifier: GPL-2.0-only
/* Who uses a vGPU: QEMU's -name as libvirt and people write it, and this process as an opener. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "opener-info.h"

/* cmdline as /proc has it: the literal's NULs separate the arguments. */
#define CMD(s) s, sizeof(s)

static void check(const char *cmdline, size_t len, int want_r, const char *want)
{
	char *name = NULL;

	assert_int_equal(opener_qemu_vm_name(cmdline, len, &name), want_r);
	if (want)
		assert_string_equal(name, want);
	free(name);
}

static void test_vm_name(void **state)
{
	/* libvirt 9's own command line */
	check(CMD("/usr/bin/qemu-system-x86_64\0-name\0guest=win10,debug-threads=on\0-S\0-machine\0pc"), 0, "win10");
	check(CMD("qemu-system-x86_64\0-name\0myvm"), 0, "myvm");
	check(CMD("/usr/libexec/qemu-kvm\0--name\0guest=rhel"), 0, "rhel");
	/* QEMU's escape: ",," is a comma of the value */
	check(CMD("qemu-system-x86_64\0-name\0guest=a,,b,debug-threads=on"), 0, "a,b");
	check(CMD("qemu-system-x86_64\0-name\0debug-threads=on,guest=zz"), 0, "zz");
	check(CMD("qemu-system-x86_64\0-name\0first\0-name\0second"), 0, "second");
	check(CMD("qemu-system-x86_64\0-name\0caf\xc3\xa9 vm"), 0, "caf\xc3\xa9 vm");
	/* not a QEMU, or no name */
	check(CMD("/usr/bin/python3\0-name\0x"), -ENOENT, NULL);
	check(CMD("qemu-system-x86_64\0-m\0512"), -ENOENT, NULL);
	check(CMD("qemu-system-x86_64\0-name"), -ENOENT, NULL);
	check("", 0, -ENOENT, NULL);
	/* a name that is empty, or carries control characters, or is too long */
	check(CMD("qemu-system-x86_64\0-name\0guest=,debug-threads=on"), -EINVAL, NULL);
	check(CMD("qemu-system-x86_64\0-name\0a\tb"), -EINVAL, NULL);
	{
		char buf[600] = "qemu-system-x86_64\0-name\0";
		size_t at = sizeof("qemu-system-x86_64\0-name");

		memset(buf + at, 'v', 300);
		check(buf, at + 301, -EINVAL, NULL);
	}
	/* a command line cut short (no NUL at the end) is read within len */
	check("qemu-system-x86_64\0-name\0abc", sizeof("qemu-system-x86_64\0-name\0abc") - 1, 0, "abc");
}

static void test_fill(void **state)
{
	struct timespec boot, real;
	OpenerInfo i;
	uint64_t want;

	clock_gettime(CLOCK_BOOTTIME, &boot);
	clock_gettime(CLOCK_REALTIME, &real);
	/* opened 5 s ago by this process: its comm, no VM, since 5 s before now */
	assert_int_equal(opener_info_fill(getpid(), (uint64_t) boot.tv_sec * 1000000000 + boot.tv_nsec - 5000000000ull, &i), 0);
	assert_int_equal(i.pid, (uint32_t) getpid());
	assert_non_null(i.name);
	assert_string_equal(i.name, "test-opener-inf");    /* comm: 15 characters */
	assert_null(i.vm);
	want = (uint64_t) real.tv_sec * 1000000 + real.tv_nsec / 1000 - 5000000;
	assert_true(i.since_usec >= want - 1000000 && i.since_usec <= want + 1000000);
	opener_info_done(&i);
	/* not open; a pid that is gone: nothing but the pid */
	assert_int_equal(opener_info_fill(0, 0, &i), 0);
	assert_int_equal(i.pid, 0);
	assert_null(i.name);
	assert_int_equal(opener_info_fill(0x3fffffff, 0, &i), 0);
	assert_null(i.name);
	assert_null(i.vm);
	assert_int_equal(i.since_usec, 0);
	opener_info_done(&i);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vm_name),
		cmocka_unit_test(test_fill),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
