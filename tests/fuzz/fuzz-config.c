// SPDX-License-Identifier: GPL-2.0-only
/*
 * gvtd.conf as config_parse_file() reads it (daemon/config.c): the checks,
 * libeconf's parser, and the settings; the input is a memfd, named by its
 * /proc/self/fd path.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "fuzz.h"

FUZZ_QUIET_INIT

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Config c;
	int r;

	char path[64];
	int fd = memfd_create("fuzz.conf", MFD_CLOEXEC);

	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(write(fd, data, size) == (ssize_t) size);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	config_init(&c);
	r = config_parse_file(&c, path);
	close(fd);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOMEM || r == -EFBIG);
	FUZZ_CHECK(profile_to_string(c.profile));
	FUZZ_CHECK(c.polkit >= 0 && c.polkit < _POLKIT_MODE_MAX);
	FUZZ_CHECK(c.wait_timeout_sec >= 1 && c.wait_timeout_sec <= 3600);
	FUZZ_CHECK(c.api_max_connections >= 1 && c.api_max_connections <= 4096);
	config_done(&c);
	return 0;
}
