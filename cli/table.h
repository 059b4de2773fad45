/* SPDX-License-Identifier: GPL-2.0-only */
/* Column-aligned tables for people, and the same rows as JSON for scripts. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct Table Table;

/* Column headers; NULL-terminated. The JSON keys are the headers in lower case. */
Table *table_new(const char *first, ...) __attribute__((sentinel));
void table_free(Table *t);
/* One value per column, as text; numbers in JSON when the column was marked ("-" is null). */
int table_add_row(Table *t, ...);
void table_set_numeric(Table *t, size_t column);
/*
 * A column of NAME=VALUE pairs, given as NAME TABLE_KV_SEP VALUE joined by
 * TABLE_PAIR_SEP: "N=V,N=V" for people, [{"N": "V"}, ...] in JSON (mdevctl's shape).
 */
#define TABLE_PAIR_SEP '\x1f'
#define TABLE_KV_SEP '\x1e'
void table_set_pairs(Table *t, size_t column);
/* A text column whose "-" (none) is null in JSON. */
void table_set_nullable(Table *t, size_t column);
/* Prints a table (human) or a JSON array of objects. */
int table_print(Table *t, bool json);
