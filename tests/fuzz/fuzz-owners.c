// SPDX-License-Identifier: GPL-2.0-only
/* Owner records (ROOT/var/lib/gvtd/owners/<uuid>) as owners_parse() reads them (daemon/owners.c). */
#include <errno.h>

#include "fuzz.h"
#include "owners.h"

FUZZ_QUIET_INIT

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = fuzz_string(data, size);
	OwnerRecord rec = {};
	const char *reason = NULL;
	int r;

	r = owners_parse(text, &rec, &reason);
	FUZZ_CHECK(r == 0 || (r == -EBADMSG && reason));
	if (r == 0)
		FUZZ_CHECK(owner_name_is_valid(rec.owner));
	return 0;
}
