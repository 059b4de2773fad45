// SPDX-License-Identifier: GPL-2.0-only
/* Messages of gvt_mdev's genl family as openers_parse() reads them (daemon/openers.c). */
#include <errno.h>

#include "fuzz.h"
#include "openers.h"

FUZZ_QUIET_INIT

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	OpenerMessage m;
	void *copy = NULL;
	int r;

	/* As libnl hands it over: a buffer of its own, aligned for the header. */
	if (size && !(copy = malloc(size)))
		abort();
	if (size)
		memcpy(copy, data, size);
	r = openers_parse(copy, size, &m);
	FUZZ_CHECK(r == 0 || r == -EBADMSG);
	if (r == 0)
		FUZZ_CHECK(strlen(m.uuid) == 36);
	free(copy);
	return 0;
}
