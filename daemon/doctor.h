/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host doctor: every check a GVT-g host needs, each with a state, what
 * was seen and the fix in one line. It reads only, through the root prefix
 * (so tests run it over a scratch tree), and never changes the host.
 */
#pragma once

#include <stddef.h>

typedef enum CheckState {
	CHECK_OK,
	CHECK_WARN,
	CHECK_FAIL,
	_CHECK_STATE_MAX,
} CheckState;

const char *check_state_to_string(CheckState s);

#define DOCTOR_TEXT_MAX 256
typedef struct Check {
	const char *id;           /* "gpu", "enable-gvt", ... (static) */
	CheckState state;
	char seen[DOCTOR_TEXT_MAX];
	char fix[DOCTOR_TEXT_MAX];    /* "" when there is nothing to do */
} Check;

#define DOCTOR_CHECKS_MAX 16
typedef struct Diagnosis {
	Check checks[DOCTOR_CHECKS_MAX];
	size_t n_checks;
	CheckState worst;
} Diagnosis;

typedef struct Manager Manager;
/* Runs every check on the host as gvtd sees it. */
void doctor_diagnose(Manager *m, Diagnosis *ret);
