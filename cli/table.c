// SPDX-License-Identifier: GPL-2.0-only
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "table.h"

#define TABLE_COLUMNS_MAX 12

struct Table {
	size_t n_columns;
	char *header[TABLE_COLUMNS_MAX];
	bool numeric[TABLE_COLUMNS_MAX];
	bool pairs[TABLE_COLUMNS_MAX];
	bool nullable[TABLE_COLUMNS_MAX];
	char **cells;             /* n_rows * n_columns */
	size_t n_rows;
};

Table *table_new(const char *first, ...)
{
	Table *t = calloc(1, sizeof(*t));
	const char *h = first;
	va_list ap;

	if (!t)
		return NULL;
	va_start(ap, first);
	for (; h && t->n_columns < TABLE_COLUMNS_MAX; h = va_arg(ap, const char *))
		if (!(t->header[t->n_columns++] = strdup(h))) {
			va_end(ap);
			table_free(t);
			return NULL;
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

/* A pairs cell for people: NAME=VALUE,NAME=VALUE. */
static char *pairs_text(const char *v)
{
	char *s = strdup(v);

	for (char *c = s; c && *c; c++)
		*c = *c == TABLE_PAIR_SEP ? ',' : *c == TABLE_KV_SEP ? '=' : *c;
	return s;
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

static int print_json(Table *t)
{
	json_t *array = json_array();

	if (!array)
		return -ENOMEM;
	for (size_t row = 0; row < t->n_rows; row++) {
		json_t *o = json_object();

		for (size_t c = 0; o && c < t->n_columns; c++) {
			const char *v = t->cells[row * t->n_columns + c];
			char key[64];
			size_t k;

			for (k = 0; t->header[c][k] && k < sizeof(key) - 1; k++)
				key[k] = t->header[c][k] == ' ' ? '_' : tolower((unsigned char) t->header[c][k]);
			key[k] = '\0';
			json_object_set_new(o, key, cell_json(t, c, v));
		}
		if (!o || json_array_append_new(array, o) < 0) {
			json_decref(array);
			return -ENOMEM;
		}
	}
	json_dumpf(array, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
	json_decref(array);
	return 0;
}

int table_print(Table *t, bool json)
{
	size_t width[TABLE_COLUMNS_MAX];

	if (json)
		return print_json(t);
	/* pairs cells, once, as people read them */
	for (size_t i = 0; i < t->n_rows * t->n_columns; i++)
		if (t->pairs[i % t->n_columns]) {
			char *text = pairs_text(t->cells[i]);

			if (!text)
				return -ENOMEM;
			free(t->cells[i]);
			t->cells[i] = text;
		}
	for (size_t c = 0; c < t->n_columns; c++) {
		t->pairs[c] = false;
		width[c] = strlen(t->header[c]);
		for (size_t row = 0; row < t->n_rows; row++) {
			size_t w = strlen(t->cells[row * t->n_columns + c]);

			if (w > width[c])
				width[c] = w;
		}
	}
	for (size_t row = 0; row <= t->n_rows; row++) {
		for (size_t c = 0; c < t->n_columns; c++) {
			const char *v = row == 0 ? t->header[c] : t->cells[(row - 1) * t->n_columns + c];
			bool last = c + 1 == t->n_columns;

			if (t->numeric[c])
				printf("%*s%s", (int) width[c], v, last ? "" : "  ");
			else
				printf("%-*s%s", last ? 0 : (int) width[c], v, last ? "" : "  ");
		}
		fputc('\n', stdout);
	}
	return 0;
}
