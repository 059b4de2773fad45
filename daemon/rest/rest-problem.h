/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one map from the core's errors (and the adapter's own HTTP problems)
 * to RFC 9457 application/problem+json (rest-problem.c).
 */
#pragma once

#include "errors.h"
#include "rest-request.h"

/* Stable problem type URI for a name ("NotFound" -> "urn:gvtd:problem:NotFound"). */
#define REST_PROBLEM_PREFIX "urn:gvtd:problem:"

/* The core's error as a problem: status from the kind, specifics as members. */
int rest_problem_from_error(RestReply *reply, int r, const GvtError *e);
/* A problem of the adapter itself (bad HTTP, bad JSON); field, if set, is named in invalid-params. */
int rest_problem(RestReply *reply, unsigned status, const char *name, const char *field, const char *format, ...)
	_printf_(5, 6);
/* The title of the problem type NAME (a core kind or an HTTP-level name), NULL for an unknown name. */
const char *rest_problem_title(const char *name);
/* The HTTP status of a core error kind. */
unsigned rest_problem_status(GvtErrorKind kind);
