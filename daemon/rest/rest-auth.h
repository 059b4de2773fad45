/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Who a REST caller is (rest-auth.c): SO_PEERCRED on the unix socket, bearer
 * tokens stored as SHA-256 hashes over TCP.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "auth.h"

/* SO_PEERCRED and SO_PEERGROUPS of a unix socket. */
typedef struct RestPeer {
	pid_t pid;
	uint64_t start_time;      /* auth_process_start_time() of pid, 0 if it was gone */
	uid_t uid;
	gid_t gid;
	gid_t groups[64];
	size_t n_groups;
} RestPeer;

typedef struct RestToken {
	uint8_t hash[32];         /* SHA-256 of the token */
	char *owner;
	Role role;
} RestToken;

typedef struct RestTokens {
	RestToken *tokens;
	size_t n_tokens;
} RestTokens;

/* "sha256:HEX OWNER ROLE" lines, # comments. A missing file is no tokens. */
int rest_tokens_load(const char *path, RestTokens *ret);
int rest_tokens_parse_line(const char *line, RestToken *ret);
void rest_tokens_done(RestTokens *t);
/* SHA-256 of a token. */
int rest_token_hash(const char *token, uint8_t ret[32]);
/* The entry whose hash matches token's, comparing every entry in constant time. */
const RestToken *rest_tokens_find(const RestTokens *t, const char *token);
/* The token of an "Authorization: Bearer X" header, or NULL. */
const char *rest_bearer_token(const char *authorization);
bool rest_memeq_const_time(const void *a, const void *b, size_t n);

int rest_peer_from_fd(int fd, RestPeer *ret);
