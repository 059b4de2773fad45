// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdlib.h>

#include "log.h"

static int max_level = LOG_INFO;

void log_set_max_level(int level)
{
	max_level = level;
}

int log_internal(int level, int error, const char *format, ...)
{
	int saved = errno;
	va_list ap;

	if (error < 0)
		error = -error;
	if (level > max_level)
		return -error;

	if (getenv("JOURNAL_STREAM"))
		fprintf(stderr, "<%d>", level);
	/* %m in the format prints the error passed in, not a stale errno. */
	errno = error;
	va_start(ap, format);
	vfprintf(stderr, format, ap);
	va_end(ap);
	fputc('\n', stderr);
	errno = saved;
	return -error;
}
