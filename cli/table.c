// SPDX-License-Identifier: GPL-2.0-only
#include <ctype.h>
#include <errno.h>
#include <libsmartcols.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "table.h"

#define TABLE_COLUMNS_MAX 12
#define TABLE_KEY_MAX 64

struct Table {
	size_t n_columns;
	char *header[TABLE_COLUMNS_MAX];
	bool numeric[TABLE_COLUMNS_MAX];
	bool pairs[TABLE_COLUMNS_MAX];
	bool nullable[TABLE_COLUMNS_MAX];
	bool truncatable[TABLE_COLUMNS_MAX];
	size_t shown[TABLE_COLUMNS_MAX]; /* the columns printed, in order */
	size_t n_shown;
	char **cells;             /* n_rows * n_columns */
	size_t n_rows;
};

DEFINE_TRIVIAL_CLEANUP_FUNC(struct libscols_table *, scols_unref_table)

Table *table_new(const char *first, ...)
{
	Table *t = calloc(1, sizeof(*t));
	const char *h = first;
	va_list ap;

	if (!t)
		return NULL;
	va_start(ap, first);
	for (; h && t->n_columns < TABLE_COLUMNS_MAX; h = va_arg(ap, const char *)) {
		t->shown[t->n_shown++] = t->n_columns;
		if (!(t->header[t->n_columns++] = strdup(h))) {
			va_end(ap);
			table_free(t);
			return NULL;
		}
	}
	va_end(ap);
	return t;
}

void table_free(Table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_columns; i++)
		free(t->header[i]);
	for (size_t i = 0; i < t->n_rows * t->n_columns; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

void table_set_numeric(Table *t, size_t column)
{
	if (column < t->n_columns)
		t->numeric[column] = true;
}

void table_set_nullable(Table *t, size_t column)
{
	if (column < t->n_columns)
		t->nullable[column] = true;
}

void table_set_pairs(Table *t, size_t column)
{
	if (column < t->n_columns)
		t->pairs[column] = true;
}

void table_set_truncatable(Table *t, size_t column)
{
	if (column < t->n_columns)
		t->truncatable[column] = true;
}

/* A header or a name for it as its JSON key: lower case, ' ' and '-' as '_'; cut at TABLE_KEY_MAX - 1. */
static void column_key(const char *name, size_t len, char key[TABLE_KEY_MAX])
{
	size_t k;

	for (k = 0; k < len && name[k] && k < TABLE_KEY_MAX - 1; k++)
		key[k] = name[k] == ' ' || name[k] == '-' ? '_' : tolower((unsigned char) name[k]);
	key[k] = '\0';
}

int table_select(Table *t, const char *columns, char *error, size_t error_size)
{
	size_t shown[TABLE_COLUMNS_MAX], n = 0;

	if (isempty(columns))
		return 0;
	for (const char *c = columns;; c++) {
		size_t len = strcspn(c, ","), i;
		char want[TABLE_KEY_MAX], have[TABLE_KEY_MAX];

		column_key(c, len, want);
		for (i = 0; i < t->n_columns; i++) {
			column_key(t->header[i], SIZE_MAX, have);
			if (len < TABLE_KEY_MAX && streq(want, have))
				break;
		}
		if (i == t->n_columns || n == TABLE_COLUMNS_MAX) {
			int w = snprintf(error, error_size, "no column \"%.*s\" here; the columns are:", (int) (len < 64 ? len : 64), c);

			for (size_t j = 0; j < t->n_columns && w >= 0 && (size_t) w < error_size; j++)
				w += snprintf(error + w, error_size - w, "%s%s", j ? "," : " ", t->header[j]);
			return -EINVAL;
		}
		shown[n++] = i;
		c += len;
		if (!*c)
			break;
	}
	memcpy(t->shown, shown, n * sizeof(shown[0]));
	t->n_shown = n;
	return 0;
}

/* A pairs cell as JSON: [{NAME: VALUE}, ...] in order. */
static json_t *pairs_json(const char *v)
{
	json_t *a = json_array();

	while (a && *v) {
		const char *end = strchrnul(v, TABLE_PAIR_SEP), *eq = memchr(v, TABLE_KV_SEP, end - v);
		_cleanup_free_ char *name = eq ? strndup(v, eq - v) : NULL, *value = eq ? strndup(eq + 1, end - eq - 1) : NULL;

		if (!name || !value || json_array_append_new(a, json_pack("{s:s}", name, value)) < 0) {
			json_decref(a);
			return NULL;
		}
		v = *end ? end + 1 : end;
	}
	return a;
}

/* A cell's JSON value: a number, null ("-" or empty in a numeric column), pairs or a string. */
static json_t *cell_json(const Table *t, size_t c, const char *v)
{
	if (t->pairs[c])
		return pairs_json(v);
	if (t->numeric[c])
		return !*v || streq(v, "-") ? json_null() : json_integer(strtoll(v, NULL, 10));
	if (t->nullable[c] && streq(v, "-"))
		return json_null();
	return json_string(v);
}

int table_add_row(Table *t, ...)
{
	char **cells = realloc(t->cells, (t->n_rows + 1) * t->n_columns * sizeof(char *));
	va_list ap;
	int r = 0;

	if (!cells)
		return -ENOMEM;
	t->cells = cells;
	cells += t->n_rows * t->n_columns;
	va_start(ap, t);
	for (size_t i = 0; i < t->n_columns; i++) {
		cells[i] = strdup(strempty(va_arg(ap, const char *)));
		if (!cells[i])
			r = -ENOMEM;
	}
	va_end(ap);
	t->n_rows++;
	return r;
}

static int print_json(const Table *t)
{
	_cleanup_(json_decrefp) json_t *array = json_array();

	if (!array)
		return -ENOMEM;
	for (size_t row = 0; row < t->n_rows; row++) {
		json_t *o = json_object();

		for (size_t s = 0; o && s < t->n_shown; s++) {
			size_t c = t->shown[s];
			char key[TABLE_KEY_MAX];

			column_key(t->header[c], SIZE_MAX, key);
			if (json_object_set_new(o, key, cell_json(t, c, t->cells[row * t->n_columns + c])) < 0) {
				json_decref(o);
				o = NULL;
			}
		}
		if (!o || json_array_append_new(array, o) < 0)
			return -ENOMEM;
	}
	if (json_dumpf(array, stdout, JSON_INDENT(2)) < 0 || fputc('\n', stdout) == EOF)
		return -EIO;
	return 0;
}

/* A pairs cell for people: NAME=VALUE,NAME=VALUE. */
static char *pairs_text(const char *v)
{
	char *s = strdup(v);

	for (char *c = s; c && *c; c++)
		*c = *c == TABLE_PAIR_SEP ? ',' : *c == TABLE_KV_SEP ? '=' : *c;
	return s;
}

/*
 * libsmartcols fits the table to a terminal (shortening the truncatable
 * columns) and prints it whole elsewhere; it also shows control characters
 * in a cell escaped, so a VM's name cannot drive the terminal.
 */
static int print_human(const Table *t, bool noheadings)
{
	_cleanup_(scols_unref_tablep) struct libscols_table *tb = scols_new_table();

	if (!tb)
		return -ENOMEM;
	if (scols_table_enable_noheadings(tb, noheadings) < 0 || scols_table_set_column_separator(tb, "  ") < 0)
		return -ENOMEM;
	for (size_t s = 0; s < t->n_shown; s++) {
		size_t c = t->shown[s];
		int flags = (t->numeric[c] ? SCOLS_FL_RIGHT : 0) | (t->truncatable[c] ? SCOLS_FL_TRUNC : 0);

		if (!scols_table_new_column(tb, t->header[c], 0, flags))
			return -ENOMEM;
	}
	for (size_t row = 0; row < t->n_rows; row++) {
		struct libscols_line *line = scols_table_new_line(tb, NULL);

		if (!line)
			return -ENOMEM;
		for (size_t s = 0; s < t->n_shown; s++) {
			size_t c = t->shown[s];
			const char *v = t->cells[row * t->n_columns + c];
			char *text = t->pairs[c] ? pairs_text(v) : strdup(v);

			if (!text || scols_line_refer_data(line, s, text) < 0) {
				free(text);
				return -ENOMEM;
			}
		}
	}
	return scols_print_table(tb) < 0 ? -EIO : 0;
}

int table_print(Table *t, bool json, bool noheadings)
{
	return json ? print_json(t) : print_human(t, noheadings);
}
