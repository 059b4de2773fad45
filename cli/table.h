/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gvtctl's tables: for people through libsmartcols (aligned, fitted to the
 * terminal's width, column choice, no headings), and the same rows as a
 * JSON array of objects for scripts (jansson: mdevctl's attribute lists and
 * nulls are shapes libsmartcols' JSON has not).
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct Table Table;

/* Column headers; NULL-terminated. The JSON keys are the headers in lower case, spaces as '_'. */
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
/* A column that may be shortened (…) to fit a terminal narrower than the table. */
void table_set_truncatable(Table *t, size_t column);

/*
 * The columns to show, in this order: a comma-separated list of headers or
 * JSON keys, any case ("UUID,opened_by,open-for"); NULL or "": all. An
 * unknown name is -EINVAL with a message naming it and the columns there are.
 */
int table_select(Table *t, const char *columns, char *error, size_t error_size);
/* Prints a table (human: noheadings leaves out the header line) or a JSON array of objects. */
int table_print(Table *t, bool json, bool noheadings);
