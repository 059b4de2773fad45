// SPDX-License-Identifier: GPL-2.0-only
#include <ctype.h>
#include <errno.h>
#include <gnutls/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/random.h>

#include "log.h"
#include "macro.h"
#include "manager.h"
#include "store.h"
#include "sysfs.h"
#include "tokens.h"

bool tokens_memeq_const_time(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a, *y = b;
	uint8_t d = 0;

	for (size_t i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

int tokens_hash(const char *token, uint8_t ret[32])
{
	return gnutls_hash_fast(GNUTLS_DIG_SHA256, token, strlen(token), ret) < 0 ? -EIO : 0;
}

static int unhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char) c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void hex(const uint8_t *p, size_t n, char *ret)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		ret[2 * i] = digits[p[i] >> 4];
		ret[2 * i + 1] = digits[p[i] & 15];
	}
	ret[2 * n] = '\0';
}

void token_id(const Token *t, char ret[TOKEN_ID_LEN + 1])
{
	char full[65];

	hex(t->hash, sizeof(t->hash), full);
	memcpy(ret, full, TOKEN_ID_LEN);
	ret[TOKEN_ID_LEN] = '\0';
}

int tokens_parse_line(const char *line, Token *ret)
{
	char h[72], owner[GVT_NAME_MAX + 1], role[16], extra[2];
	Token t = {};

	if (sscanf(line, "sha256:%71s %128s %15s %1s", h, owner, role, extra) != 3 || strlen(h) != 64)
		return -EINVAL;
	for (size_t i = 0; i < 32; i++) {
		int hi = unhex(h[2 * i]), lo = unhex(h[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		t.hash[i] = hi << 4 | lo;
	}
	t.role = role_from_string(role);
	if (t.role < 0 || !gvt_name_is_valid(owner))
		return -EINVAL;
	t.owner = strdup(owner);
	if (!t.owner)
		return -ENOMEM;
	*ret = t;
	return 0;
}

void tokens_done(Tokens *t)
{
	for (size_t i = 0; i < t->n_tokens; i++)
		free(t->tokens[i].owner);
	free(t->tokens);
	*t = (Tokens) {};
}

/* The next line of *p (NUL-terminated in place), or NULL at the end. */
static char *next_line(char **p)
{
	char *l = *p, *nl;

	if (!l || !*l)
		return NULL;
	nl = strchr(l, '\n');
	if (nl) {
		*nl = '\0';
		*p = nl + 1;
	} else
		*p = NULL;
	return l;
}

static const char *skip_blanks(const char *l)
{
	while (isspace((unsigned char) *l))
		l++;
	return l;
}

static bool is_entry(const char *l)
{
	return *l != '\0' && *l != '#';
}

/* The file's contents, "" if it does not exist. */
static int read_tokens_file(const char *path, char **ret, size_t *ret_len)
{
	int r = store_read(path, ret, ret_len);

	if (r == -ENOENT) {
		*ret = strdup("");
		*ret_len = 0;
		return *ret ? 0 : -ENOMEM;
	}
	return r;
}

int tokens_load_file(const char *path, Tokens *ret)
{
	_cleanup_free_ char *data = NULL;
	Tokens t = {};
	size_t len;
	unsigned lineno = 0;
	char *p, *line;
	int r;

	r = read_tokens_file(path, &data, &len);
	if (r == -EBADFD)
		return log_error_errno(r, "%s is not a regular file: TokenFile= must name a file of "
				       "\"sha256:HEX OWNER ROLE\" lines.", path);
	if (r < 0)
		return log_error_errno(r, "Failed to read %s: %m", path);
	if (memchr(data, '\0', len))
		return log_error_errno(EINVAL, "%s holds a NUL byte: it is not a token file.", path);
	/* Whole lines of any length: the tail of a long comment must not become a token. */
	for (p = data; (line = next_line(&p)); ) {
		const char *l = skip_blanks(line);
		Token *n;

		lineno++;
		if (!is_entry(l))
			continue;
		n = realloc(t.tokens, (t.n_tokens + 1) * sizeof(*n));
		if (!n) {
			tokens_done(&t);
			return log_oom();
		}
		t.tokens = n;
		r = tokens_parse_line(l, &t.tokens[t.n_tokens]);
		if (r == -ENOMEM) {
			tokens_done(&t);
			return log_oom();
		}
		if (r < 0) {
			log_warning("%s:%u: expected \"sha256:<64 hex digits> OWNER reader|user|admin\", ignoring.",
				    path, lineno);
			continue;
		}
		t.n_tokens++;
	}
	*ret = t;
	return 0;
}

const Token *tokens_find(const Tokens *t, const char *token)
{
	const Token *found = NULL;
	uint8_t hash[32];

	if (isempty(token) || tokens_hash(token, hash) < 0)
		return NULL;
	for (size_t i = 0; i < t->n_tokens; i++)
		if (tokens_memeq_const_time(hash, t->tokens[i].hash, sizeof(hash)) && !found)
			found = &t->tokens[i];
	return found;
}

int tokens_path(const Manager *m, char **ret)
{
	const char *f = m->config.api_token_file;

	if (isempty(f) || f[0] != '/')
		return log_error_errno(EINVAL, "TokenFile=%s is not an absolute path: give the full path, e.g. "
				       "TokenFile=/etc/gvtd/api-tokens.", strempty(f));
	return asprintf(ret, "%s%s", strempty(m->config.root), f) < 0 ? log_oom() : 0;
}

int tokens_reload(Manager *m)
{
	_cleanup_free_ char *path = NULL;
	Tokens t;
	int r;

	r = tokens_path(m, &path);
	if (r < 0)
		return r;
	r = tokens_load_file(path, &t);
	if (r < 0)
		return r;
	tokens_done(&m->tokens);
	m->tokens = t;
	log_debug("%zu API tokens from %s.", t.n_tokens, path);
	return 0;
}

/* The token file's path and contents ("" if missing), for add and revoke. */
static bool id_in_use(const Tokens *t, const char *id)
{
	for (size_t i = 0; i < t->n_tokens; i++) {
		char other[TOKEN_ID_LEN + 1];

		token_id(&t->tokens[i], other);
		if (streq(other, id))
			return true;
	}
	return false;
}

static int read_for_change(Manager *m, char **ret_path, char **ret_data, size_t *ret_len, GvtError *e)
{
	int r = tokens_path(m, ret_path);

	if (r < 0)
		return gvt_error_set(e, GVT_ERROR_FAILED, "TokenFile=%s is not an absolute path: fix gvtd.conf",
				     strempty(m->config.api_token_file));
	r = read_tokens_file(*ret_path, ret_data, ret_len);
	return r < 0 ? gvt_error_set_errno(e, r, "Could not read %s", *ret_path) : 0;
}

static int write_tokens_file(Manager *m, const char *path, const char *data, size_t len, GvtError *e)
{
	int r = store_write_mode(path, data, len, 0600);

	if (r < 0)
		return gvt_error_set_errno(e, r, "Could not write %s", path);
	r = tokens_reload(m);
	return r < 0 ? gvt_error_set_errno(e, r, "Wrote %s but could not read it back", path) : 0;
}

int tokens_add(Manager *m, const char *owner, const char *role, char **ret_token,
	       char ret_id[TOKEN_ID_LEN + 1], GvtError *e)
{
	_cleanup_free_ char *path = NULL, *data = NULL, *token = NULL, *out = NULL;
	uint8_t secret[32];
	char secret_hex[65], hash_hex[65];
	Token t = {};
	size_t len;
	int r, n;

	if (!gvt_name_is_valid(owner))
		return gvt_error_set(e, GVT_ERROR_INVALID_ARGUMENT, "Owner \"%s\" is not a valid name: 1 to %d "
				     "letters, digits, '.', '_', '-', not starting with '.'", owner, GVT_NAME_MAX);
	t.role = role_from_string(role);
	if (t.role < 0)
		return gvt_error_set(e, GVT_ERROR_INVALID_ARGUMENT, "Role \"%s\" is not one of reader, user, admin",
				     role);
	r = read_for_change(m, &path, &data, &len, e);
	if (r < 0)
		return r;
	/* Ids are unique, so that revoke takes exactly one: a clash (1 in 2^48) draws again. */
	do {
		if (getrandom(secret, sizeof(secret), 0) != sizeof(secret))
			return gvt_error_set_errno(e, -EIO, "No random bytes for a token");
		hex(secret, sizeof(secret), secret_hex);
		free(token);
		if (asprintf(&token, TOKEN_PREFIX "%s", secret_hex) < 0) {
			token = NULL;
			return gvt_error_set_errno(e, -ENOMEM, "Out of memory");
		}
		r = tokens_hash(token, t.hash);
		if (r < 0)
			return gvt_error_set_errno(e, r, "Could not hash the token");
		token_id(&t, ret_id);
	} while (id_in_use(&m->tokens, ret_id));
	hex(t.hash, sizeof(t.hash), hash_hex);
	n = asprintf(&out, "%s%ssha256:%s %s %s\n", data, len > 0 && data[len - 1] != '\n' ? "\n" : "",
		     hash_hex, owner, role_to_string(t.role));
	if (n < 0) {
		out = NULL;
		return gvt_error_set_errno(e, -ENOMEM, "Out of memory");
	}
	r = write_tokens_file(m, path, out, n, e);
	if (r < 0)
		return r;
	log_info("Added API token %s for %s (%s) to %s.", ret_id, owner, role_to_string(t.role), path);
	*ret_token = TAKE_PTR(token);
	return 0;
}

static bool id_is_valid(const char *id)
{
	if (strlen(id) != TOKEN_ID_LEN)
		return false;
	for (const char *c = id; *c; c++)
		if (unhex(*c) < 0)
			return false;
	return true;
}

int tokens_revoke(Manager *m, const char *id, GvtError *e)
{
	_cleanup_free_ char *path = NULL, *data = NULL, *out = NULL;
	size_t len, n_out = 0, removed = 0;
	char *p, *line;
	int r;

	if (!id_is_valid(id))
		return gvt_error_set(e, GVT_ERROR_INVALID_ARGUMENT, "\"%s\" is not a token id: %d hex digits, as "
				     "'gvtctl token list' shows them", id, TOKEN_ID_LEN);
	r = read_for_change(m, &path, &data, &len, e);
	if (r < 0)
		return r;
	out = malloc(len + 2);
	if (!out)
		return gvt_error_set_errno(e, -ENOMEM, "Out of memory");
	/* Every other line stays as it was, comments and lines gvtd cannot read included. */
	for (p = data; (line = next_line(&p)); ) {
		const char *l = skip_blanks(line);
		char tid[TOKEN_ID_LEN + 1];
		Token t;

		if (is_entry(l) && tokens_parse_line(l, &t) >= 0) {
			token_id(&t, tid);
			free(t.owner);
			if (strcasecmp(tid, id) == 0) {
				removed++;
				continue;
			}
		}
		n_out += sprintf(out + n_out, "%s\n", line);
	}
	if (removed == 0)
		return gvt_error_set(e, GVT_ERROR_NOT_FOUND, "No token with id %s: 'gvtctl token list' shows them",
				     id);
	r = write_tokens_file(m, path, out, n_out, e);
	if (r < 0)
		return r;
	log_info("Revoked API token %s (%zu line%s of %s).", id, removed, removed == 1 ? "" : "s", path);
	return 0;
}
