/* SPDX-License-Identifier: GPL-2.0-only */
/* Cleanup attributes and ownership helpers shared by gvtd and gvtctl. */
#pragma once

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* Hand the pointer over and leave NULL behind, so the cleanup attribute does nothing. */
#define TAKE_PTR(p)                                  \
	({                                           \
		__typeof__(p) _took_ = (p);          \
		(p) = NULL;                          \
		_took_;                              \
	})

#define TAKE_FD(fd)                                  \
	({                                           \
		int _took_fd_ = (fd);                \
		(fd) = -1;                           \
		_took_fd_;                           \
	})

/* Defines func##p(type *p) calling func(*p) when *p is set. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)      \
	static inline void func##p(type *p)          \
	{                                            \
		if (*p)                              \
			func(*p);                    \
	}

static inline void freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

DEFINE_TRIVIAL_CLEANUP_FUNC(FILE *, fclose)
#define _cleanup_fclose_ _cleanup_(fclosep)
DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir)
#define _cleanup_closedir_ _cleanup_(closedirp)

static inline int streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static inline int isempty(const char *s)
{
	return !s || !*s;
}

static inline const char *strempty(const char *s)
{
	return s ? s : "";
}

/*
 * One table gives both directions (systemd's DEFINE_STRING_TABLE_LOOKUP):
 * name##_to_string(i) is table[i] or NULL, name##_from_string(s) the index
 * of s or -EINVAL. The table has max entries, indexed by type.
 */
#define DEFINE_STRING_TABLE_LOOKUP(name, type, table, max)                        \
	const char *name##_to_string(type i)                                      \
	{                                                                         \
		return (int) i >= 0 && (int) i < (int) (max) ? (table)[i] : NULL; \
	}                                                                         \
	int name##_from_string(const char *s)                                     \
	{                                                                         \
		for (int i = 0; s && i < (int) (max); i++)                        \
			if ((table)[i] && streq((table)[i], s))                   \
				return i;                                         \
		return -EINVAL;                                                   \
	}
