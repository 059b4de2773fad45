/* SPDX-License-Identifier: GPL-2.0-only */
/* Logging to stderr; under journald each line carries its syslog priority. */
#pragma once

#include <errno.h>
#include <syslog.h>

#include "macro.h"

void log_set_max_level(int level);
int log_internal(int level, int error, const char *format, ...) _printf_(3, 4);

/* Returns -|error| so call sites can `return log_error_errno(r, "...: %m");`. */
#define log_full_errno(level, error, ...) log_internal((level), (error), __VA_ARGS__)
#define log_debug(...) log_internal(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...) log_internal(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...) log_internal(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) log_internal(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...) log_internal(LOG_ERR, 0, __VA_ARGS__)
#define log_debug_errno(e, ...) log_internal(LOG_DEBUG, (e), __VA_ARGS__)
#define log_warning_errno(e, ...) log_internal(LOG_WARNING, (e), __VA_ARGS__)
#define log_error_errno(e, ...) log_internal(LOG_ERR, (e), __VA_ARGS__)
#define log_oom() log_internal(LOG_ERR, -ENOMEM, "Out of memory.")

/*
 * One message with a MESSAGE_ID and journal fields ("KEY=value", a NULL-
 * terminated list) so that `journalctl MESSAGE_ID=…` or `journalctl
 * GVT_VGPU=…` finds it and `journalctl -x` explains it from the catalog.
 * Under journald it goes to the journal directly, else to stderr as
 * log_internal() writes it (the fields are then left out).
 */
void log_struct(int level, const char *message_id, const char *const *fields, const char *format, ...)
	_printf_(4, 5);
