// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "errors.h"
#include "utf8.h"

static const struct {
	const char *name;
	int error;
} kinds[_GVT_ERROR_KIND_MAX] = {
	[GVT_ERROR_NONE] = { "None", 0 },
	[GVT_ERROR_FAILED] = { "Failed", EIO },
	[GVT_ERROR_INVALID_ARGUMENT] = { "InvalidArgument", EINVAL },
	[GVT_ERROR_NOT_FOUND] = { "NotFound", ENOENT },
	[GVT_ERROR_ALREADY_EXISTS] = { "AlreadyExists", EEXIST },
	[GVT_ERROR_NO_CAPACITY] = { "NoCapacity", ENOSPC },
	[GVT_ERROR_BUSY] = { "Busy", EBUSY },
	[GVT_ERROR_NOT_PERMITTED] = { "NotPermitted", EPERM },
	[GVT_ERROR_MODULE_FAILURE] = { "ModuleFailure", ENOPKG },
	[GVT_ERROR_NOT_READY] = { "NotReady", EAGAIN },
	[GVT_ERROR_QUOTA_EXCEEDED] = { "QuotaExceeded", EDQUOT },
	[GVT_ERROR_VETOED] = { "Vetoed", ECANCELED },
};

/* One process, one event loop: a plain array is all the counting needs. */
static uint64_t reported[_GVT_ERROR_KIND_MAX];

const char *gvt_error_kind_to_string(GvtErrorKind kind)
{
	if (kind < 0 || kind >= _GVT_ERROR_KIND_MAX)
		return NULL;
	return kinds[kind].name;
}

int gvt_error_kind_from_string(const char *name)
{
	for (GvtErrorKind k = GVT_ERROR_NONE + 1; name && k < _GVT_ERROR_KIND_MAX; k++)
		if (streq(kinds[k].name, name))
			return k;
	return -EINVAL;
}

void gvt_error_count(GvtErrorKind kind)
{
	if (kind > GVT_ERROR_NONE && kind < _GVT_ERROR_KIND_MAX)
		reported[kind]++;
}

uint64_t gvt_error_reported_count(GvtErrorKind kind)
{
	return kind > GVT_ERROR_NONE && kind < _GVT_ERROR_KIND_MAX ? reported[kind] : 0;
}

GvtErrorKind gvt_error_kind_from_errno(int error)
{
	switch (error < 0 ? -error : error) {
	case 0:
		return GVT_ERROR_NONE;
	case EINVAL:
	case ENAMETOOLONG:
	case ERANGE:
		return GVT_ERROR_INVALID_ARGUMENT;
	case ENOENT:
	case ENODEV:
	case ENXIO:
		return GVT_ERROR_NOT_FOUND;
	case EEXIST:
		return GVT_ERROR_ALREADY_EXISTS;
	case ENOSPC:
		return GVT_ERROR_NO_CAPACITY;
	case EBUSY:
	case EINPROGRESS:
		return GVT_ERROR_BUSY;
	case EPERM:
	case EACCES:
		return GVT_ERROR_NOT_PERMITTED;
	case ENOPKG:
	case ENOEXEC:
		return GVT_ERROR_MODULE_FAILURE;
	case EAGAIN:
		return GVT_ERROR_NOT_READY;
	case EDQUOT:
		return GVT_ERROR_QUOTA_EXCEEDED;
	case ECANCELED:
		return GVT_ERROR_VETOED;
	default:
		return GVT_ERROR_FAILED;
	}
}

int gvt_error_kind_to_errno(GvtErrorKind kind)
{
	if (kind <= GVT_ERROR_NONE || kind >= _GVT_ERROR_KIND_MAX)
		return -EIO;
	return -kinds[kind].error;
}

_printf_(4, 0) static int error_setv(GvtError *e, GvtErrorKind kind, int error, const char *format, va_list ap)
{
	if (e) {
		int n;

		e->kind = kind;
		n = vsnprintf(e->message, sizeof(e->message), format, ap);
		if (error && n >= 0 && (size_t) n < sizeof(e->message))
			snprintf(e->message + n, sizeof(e->message) - n, ": %s", strerror(error));
		/* a caller's bytes, or a character cut by "%.40s" or the buffer, must not stop the message */
		utf8_sanitize(e->message);
	}
	return error ? -error : gvt_error_kind_to_errno(kind);
}

int gvt_error_set(GvtError *e, GvtErrorKind kind, const char *format, ...)
{
	va_list ap;
	int r;

	va_start(ap, format);
	r = error_setv(e, kind, 0, format, ap);
	va_end(ap);
	return r;
}

int gvt_error_set_errno(GvtError *e, int error, const char *format, ...)
{
	va_list ap;
	int r;

	if (error < 0)
		error = -error;
	va_start(ap, format);
	r = error_setv(e, gvt_error_kind_from_errno(error), error, format, ap);
	va_end(ap);
	return r;
}

int gvt_error_ensure(GvtError *e, int error)
{
	if (error < 0)
		error = -error;
	if (e && e->kind == GVT_ERROR_NONE)
		gvt_error_set_errno(e, error, "Operation failed");
	return -error;
}

GvtErrorKind gvt_error_resolve(int r, const GvtError *e, const char **ret_message)
{
	GvtErrorKind kind;

	if (e && e->kind > GVT_ERROR_NONE && e->kind < _GVT_ERROR_KIND_MAX) {
		*ret_message = e->message;
		kind = e->kind;
	} else {
		*ret_message = strerror(r < 0 ? -r : r);
		kind = gvt_error_kind_from_errno(r);
		if (kind <= GVT_ERROR_NONE || kind >= _GVT_ERROR_KIND_MAX)
			kind = GVT_ERROR_FAILED;
	}
	gvt_error_count(kind);
	return kind;
}
