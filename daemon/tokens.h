/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The REST API's bearer tokens (TokenFile=, /etc/gvtd/api-tokens): lines of
 * "sha256:HEX OWNER ROLE", # comments. Only SHA-256 hashes are stored (a
 * token is 32 random bytes, so a fast hash loses nothing) and every hash is
 * compared in constant time. The core owns the table: REST looks tokens up
 * in it, the management calls (add, revoke) rewrite the file crash-safely,
 * keeping every other line as it was, and SIGHUP reads it again.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "errors.h"
#include "role.h"

typedef struct Manager Manager;

#define TOKEN_ID_LEN 12           /* the first hex digits of the hash: what list shows, revoke takes */
#define TOKEN_PREFIX "gvtd_"      /* of the tokens gvtd makes: secret scanners can tell them */

typedef struct Token {
	uint8_t hash[32];         /* SHA-256 of the token */
	char *owner;
	Role role;
} Token;

typedef struct Tokens {
	Token *tokens;
	size_t n_tokens;
} Tokens;

/* One "sha256:HEX OWNER ROLE" line (no comment, leading blanks skipped by the caller). */
int tokens_parse_line(const char *line, Token *ret);
/* A whole file: a missing file is no tokens; a bad line is logged with path:line and skipped. */
int tokens_load_file(const char *path, Tokens *ret);
void tokens_done(Tokens *t);
/* SHA-256 of a token. */
int tokens_hash(const char *token, uint8_t ret[32]);
/* The entry whose hash matches token's, comparing every entry in constant time; NULL if none. */
const Token *tokens_find(const Tokens *t, const char *token);
/* The first TOKEN_ID_LEN hex digits of t's hash. */
void token_id(const Token *t, char ret[TOKEN_ID_LEN + 1]);
bool tokens_memeq_const_time(const void *a, const void *b, size_t n);

/* TokenFile= below --root, in *ret: -EINVAL (logged) if it is not an absolute path. */
int tokens_path(const Manager *m, char **ret);
/* Reads TokenFile= into m->tokens; on an error the table in use stays as it was. */
int tokens_reload(Manager *m);
/*
 * A new token for owner with role ("reader", "user", "admin"): appended to the
 * file, in use at once. *ret_token (freed by the caller) is the secret, shown
 * once: only its hash is kept.
 */
int tokens_add(Manager *m, const char *owner, const char *role, char **ret_token,
	       char ret_id[TOKEN_ID_LEN + 1], GvtError *e);
/* Removes every line whose hash starts with id (TOKEN_ID_LEN hex digits); no longer valid at once. */
int tokens_revoke(Manager *m, const char *id, GvtError *e);
