// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>

#include "macro.h"
#include "utf8.h"

/* The length of the UTF-8 character at s (1-4), 0 for a byte that starts none. */
static size_t utf8_char_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef)
		return (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80 &&
		       !(s[0] == 0xe0 && s[1] < 0xa0) && !(s[0] == 0xed && s[1] >= 0xa0) ? 3 : 0;
	if (s[0] >= 0xf0 && s[0] <= 0xf4)
		return (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80 &&
		       !(s[0] == 0xf0 && s[1] < 0x90) && !(s[0] == 0xf4 && s[1] >= 0x90) ? 4 : 0;
	return 0;
}

void utf8_sanitize(char *s)
{
	size_t i = 0;

	while (s[i]) {
		size_t n = utf8_char_len((const unsigned char *) s + i);

		if (n == 0)
			s[i] = '?';
		i += n ?: 1;
	}
}

const char *utf8_valid(const char *s, char *buf, size_t size)
{
	snprintf(buf, size, "%s", s);
	utf8_sanitize(buf);
	return buf;
}
