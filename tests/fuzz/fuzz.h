/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What every libFuzzer target of tests/fuzz shares: the entry points, quiet
 * logging, and a check that aborts (so libFuzzer keeps the input) when a
 * parser breaks its own contract without a sanitizer noticing.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_CHECK(cond)                                                                          \
	do {                                                                                      \
		if (!(cond)) {                                                                    \
			fprintf(stderr, "%s:%d: contract broken: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                                  \
		}                                                                                 \
	} while (0)

/* The input as the daemon's file readers hand it on: NUL-terminated (a NUL inside ends it early). */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* No log lines: a malformed input is the normal case here. */
#define FUZZ_QUIET_INIT                                              \
	int LLVMFuzzerInitialize(int *argc, char ***argv)            \
	{                                                            \
		log_set_max_level(-1);                               \
		return 0;                                            \
	}
