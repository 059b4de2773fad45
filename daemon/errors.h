/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The core's one error vocabulary. Core functions return -errno and fill a
 * GvtError saying what went wrong in words a person can act on; each adapter
 * maps the kind once (D-Bus: dbus-error.c).
 */
#pragma once

#include <stdint.h>

#include "macro.h"

typedef enum GvtErrorKind {
	GVT_ERROR_NONE,
	GVT_ERROR_FAILED,           /* anything else: I/O error, out of memory */
	GVT_ERROR_INVALID_ARGUMENT,
	GVT_ERROR_NOT_FOUND,
	GVT_ERROR_ALREADY_EXISTS,
	GVT_ERROR_NO_CAPACITY,      /* + resource */
	GVT_ERROR_BUSY,
	GVT_ERROR_NOT_PERMITTED,
	GVT_ERROR_MODULE_FAILURE,   /* + cause, in the message */
	GVT_ERROR_NOT_READY,        /* modules not loaded (yet) */
	GVT_ERROR_QUOTA_EXCEEDED,   /* + resource (the limit's name) and quota */
	GVT_ERROR_VETOED,           /* a callout script refused the operation (callouts.c) */
	_GVT_ERROR_KIND_MAX,
} GvtErrorKind;

#define GVT_ERROR_MESSAGE_MAX 512

typedef struct GvtError {
	GvtErrorKind kind;
	char resource[32];          /* GVT_ERROR_NO_CAPACITY: "aperture", "hidden", "fences", ...;
	                             * GVT_ERROR_QUOTA_EXCEEDED: the limit, "vgpus", "aperture-mib", ... */
	struct {
		char owner[64];
		unsigned long long limit, usage, request;
	} quota;                    /* GVT_ERROR_QUOTA_EXCEEDED */
	char message[GVT_ERROR_MESSAGE_MAX];
} GvtError;

/* Stable names of the kinds ("NotFound", ...): D-Bus error suffix, REST problem type. */
const char *gvt_error_kind_to_string(GvtErrorKind kind);

/* The kind of a name gvt_error_kind_to_string() gives; -EINVAL for any other name (and "None"). */
int gvt_error_kind_from_string(const char *name);

/* The kind an errno falls in when nothing more specific is known. */
GvtErrorKind gvt_error_kind_from_errno(int error);

/* The errno a kind stands for: what core functions return alongside it. */
int gvt_error_kind_to_errno(GvtErrorKind kind);

/* Fill *e (if e is set) and return the kind's -errno. */
int gvt_error_set(GvtError *e, GvtErrorKind kind, const char *format, ...) _printf_(3, 4);

/* Like gvt_error_set(), with the kind derived from error and ": strerror" appended. */
int gvt_error_set_errno(GvtError *e, int error, const char *format, ...) _printf_(3, 4);

/* Fill *e with a fallback message for error if nothing set it yet; returns -|error|. */
int gvt_error_ensure(GvtError *e, int error);

/*
 * What an adapter reports for a core call that returned r < 0: e's kind and
 * message if it was filled, else r's kind and strerror; never GVT_ERROR_NONE.
 * Adapters call it once per error they answer, so it counts the kind
 * (gvt_error_reported_count()).
 */
GvtErrorKind gvt_error_resolve(int r, const GvtError *e, const char **ret_message);

/*
 * Counts an error of kind answered to a caller without a core call (an
 * adapter's own check of its input); gvt_error_resolve() counts the rest.
 */
void gvt_error_count(GvtErrorKind kind);
/* Errors of kind answered to callers, on any interface, since the start (the metrics' gvtd_errors_total). */
uint64_t gvt_error_reported_count(GvtErrorKind kind);
