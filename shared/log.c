// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <stdbool.h>
#include <systemd/sd-journal.h>

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

/* stderr is journald's stream when $JOURNAL_STREAM names its device and inode. */
static bool stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

#define LOG_STRUCT_FIELDS_MAX 8

void log_struct(int level, const char *message_id, const char *const *fields, const char *format, ...)
{
	char message[1024], mid[64], prio[16];
	struct iovec iov[LOG_STRUCT_FIELDS_MAX + 3];
	size_t n = 0;
	va_list ap;

	if (level > max_level)
		return;
	va_start(ap, format);
	vsnprintf(message, sizeof(message), format, ap);
	va_end(ap);
	if (!stderr_is_journal()) {
		log_internal(level, 0, "%s", message);
		return;
	}

	char *m = NULL;
	if (asprintf(&m, "MESSAGE=%s", message) < 0) {
		log_internal(level, 0, "%s", message);
		return;
	}
	snprintf(mid, sizeof(mid), "MESSAGE_ID=%s", message_id);
	snprintf(prio, sizeof(prio), "PRIORITY=%d", level);
	iov[n++] = (struct iovec) { .iov_base = m, .iov_len = strlen(m) };
	iov[n++] = (struct iovec) { .iov_base = mid, .iov_len = strlen(mid) };
	iov[n++] = (struct iovec) { .iov_base = prio, .iov_len = strlen(prio) };
	for (size_t i = 0; fields && fields[i] && i < LOG_STRUCT_FIELDS_MAX; i++)
		iov[n++] = (struct iovec) { .iov_base = (char *)fields[i], .iov_len = strlen(fields[i]) };
	if (sd_journal_sendv(iov, (int)n) < 0)
		log_internal(level, 0, "%s", message);
	free(m);
}
