// SPDX-License-Identifier: GPL-2.0-only
/*
 * A line of the API token file as tokens_parse_line() reads it
 * (daemon/tokens.c), and an Authorization header as rest_bearer_token() does
 * (daemon/rest/rest-auth.c).
 */
#include <errno.h>

#include "fuzz.h"
#include "rest-auth.h"
#include "tokens.h"

FUZZ_QUIET_INIT

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = fuzz_string(data, size);
	Token t = {};
	const char *bearer;
	int r;

	r = tokens_parse_line(text, &t);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOMEM);
	if (r == 0)
		FUZZ_CHECK(gvt_name_is_valid(t.owner) && role_to_string(t.role) && t.role != ROLE_NONE);
	free(t.owner);
	bearer = rest_bearer_token(text);
	FUZZ_CHECK(!bearer || (bearer >= text + 7 && bearer < text + strlen(text) && *bearer != ' '));
	return 0;
}
