/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Valid UTF-8 for text that leaves gvtd: D-Bus refuses to send a string that
 * is not, and a JSON string must be. A caller's bytes, or a multibyte
 * character cut by a bounded format ("%.40s") or a full buffer, become '?'.
 */
#pragma once

#include <stddef.h>

/* s, made valid UTF-8 in place (as jansson and sd-bus judge it). */
void utf8_sanitize(char *s);

/* A copy of s into buf (size bytes, cut if longer), made valid UTF-8; returns buf. */
const char *utf8_valid(const char *s, char *buf, size_t size);
