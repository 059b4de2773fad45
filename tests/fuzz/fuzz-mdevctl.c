// SPDX-License-Identifier: GPL-2.0-only
/*
 * mdevctl definition files as mdevctl_parse() reads them (daemon/mdevctl.c);
 * what it accepts must survive mdevctl_format() (which keeps the rest of the
 * document) and a second parse unchanged.
 */
#include <errno.h>

#include "fuzz.h"
#include "mdevctl.h"

FUZZ_QUIET_INIT

static void definition_done(Definition *d)
{
	free(d->type);
	attrs_free(d->attrs, d->n_attrs);
	json_decref(d->document);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = fuzz_string(data, size), *again = NULL;
	Definition d = {}, d2 = {};
	_cleanup_free_ char *reason = NULL, *reason2 = NULL;
	int r;

	r = mdevctl_parse(text, &d, &reason);
	FUZZ_CHECK(r == 0 || r == -ENOMEM || (r == -EBADMSG && reason));
	if (r == 0) {
		FUZZ_CHECK(gvt_name_is_valid(d.type));
		for (size_t i = 0; i < d.n_attrs; i++)
			FUZZ_CHECK(gvt_name_is_valid(d.attrs[i].name) && d.attrs[i].value);
		FUZZ_CHECK(mdevctl_format(&d, &again) == 0);
		FUZZ_CHECK(mdevctl_parse(again, &d2, &reason2) == 0);
		FUZZ_CHECK(streq(d.type, d2.type) && d.autostart == d2.autostart && d.n_attrs == d2.n_attrs);
		for (size_t i = 0; i < d.n_attrs; i++)
			FUZZ_CHECK(streq(d.attrs[i].name, d2.attrs[i].name) &&
				   streq(d.attrs[i].value, d2.attrs[i].value));
	}
	definition_done(&d);
	definition_done(&d2);
	return 0;
}
