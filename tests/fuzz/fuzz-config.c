// SPDX-License-Identifier: GPL-2.0-only
/* gvtd.conf as config_parse() reads it (daemon/config.c). */
#include <errno.h>

#include "config.h"
#include "fuzz.h"

FUZZ_QUIET_INIT

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Config c;
	int r;

	config_init(&c);
	r = config_parse(&c, (const char *) data, size, "fuzz.conf");
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOMEM);
	FUZZ_CHECK(profile_to_string(c.profile));
	FUZZ_CHECK(c.polkit >= 0 && c.polkit < _POLKIT_MODE_MAX);
	FUZZ_CHECK(c.wait_timeout_sec >= 1 && c.wait_timeout_sec <= 3600);
	FUZZ_CHECK(c.api_max_connections >= 1 && c.api_max_connections <= 4096);
	config_done(&c);
	return 0;
}
