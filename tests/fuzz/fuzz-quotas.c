// SPDX-License-Identifier: GPL-2.0-only
/* quotas.json as quotas_parse() reads it (daemon/quotas.c). */
#include <errno.h>

#include "fuzz.h"
#include "owners.h"
#include "quotas.h"

FUZZ_QUIET_INIT

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = fuzz_string(data, size);
	Quotas q = {};
	const char *reason = NULL;
	int r;

	r = quotas_parse(text, &q, &reason);
	FUZZ_CHECK(r == 0 || r == -ENOMEM || (r == -EBADMSG && reason));
	for (size_t i = 0; i < q.n_entries; i++) {
		FUZZ_CHECK(streq(q.entries[i].owner, QUOTA_DEFAULT) || owner_name_is_valid(q.entries[i].owner));
		for (QuotaLimit l = 0; l < _QUOTA_LIMIT_MAX; l++)
			FUZZ_CHECK(q.entries[i].set[l] || q.entries[i].max[l] == 0);
	}
	quotas_done(&q);
	return 0;
}
