// SPDX-License-Identifier: GPL-2.0-only
/*
 * Who the caller is. On the unix socket, the kernel says (SO_PEERCRED); over
 * TCP, a bearer token. Tokens are stored only as SHA-256 hashes (they are
 * random, so a fast hash loses nothing) and every stored hash is compared in
 * constant time, so timing shows neither which entry nor how much matched.
 */
#include <ctype.h>
#include <errno.h>
#include <gnutls/crypto.h>
#include <sys/socket.h>

#include "auth.h"
#include "log.h"
#include "rest-request.h"
#include "rest-auth.h"

bool rest_memeq_const_time(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a, *y = b;
	uint8_t d = 0;

	for (size_t i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

int rest_token_hash(const char *token, uint8_t ret[32])
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

int rest_tokens_parse_line(const char *line, RestToken *ret)
{
	char hex[72], owner[GVT_NAME_MAX + 1], role[16], extra[2];
	RestToken t = {};

	if (sscanf(line, "sha256:%71s %128s %15s %1s", hex, owner, role, extra) != 3 || strlen(hex) != 64)
		return -EINVAL;
	for (size_t i = 0; i < 32; i++) {
		int hi = unhex(hex[2 * i]), lo = unhex(hex[2 * i + 1]);

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

void rest_tokens_done(RestTokens *t)
{
	for (size_t i = 0; i < t->n_tokens; i++)
		free(t->tokens[i].owner);
	free(t->tokens);
	*t = (RestTokens) {};
}

int rest_tokens_load(const char *path, RestTokens *ret)
{
	_cleanup_fclose_ FILE *f = NULL;
	RestTokens t = {};
	_cleanup_free_ char *line = NULL;
	size_t size = 0;
	unsigned lineno = 0;

	f = fopen(path, "re");
	if (!f) {
		*ret = t;
		return errno == ENOENT ? 0 : log_error_errno(errno, "Failed to open %s: %m", path);
	}
	/* Whole lines of any length: the tail of a long comment must not become a token. */
	while (getline(&line, &size, f) >= 0) {
		RestToken *n;
		const char *l = line;
		int r;

		lineno++;
		while (isspace((unsigned char) *l))
			l++;
		if (*l == '\0' || *l == '#')
			continue;
		n = realloc(t.tokens, (t.n_tokens + 1) * sizeof(*n));
		if (!n) {
			rest_tokens_done(&t);
			return log_oom();
		}
		t.tokens = n;
		r = rest_tokens_parse_line(l, &t.tokens[t.n_tokens]);
		if (r == -ENOMEM) {
			rest_tokens_done(&t);
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

const RestToken *rest_tokens_find(const RestTokens *t, const char *token)
{
	const RestToken *found = NULL;
	uint8_t hash[32];

	if (isempty(token) || rest_token_hash(token, hash) < 0)
		return NULL;
	for (size_t i = 0; i < t->n_tokens; i++)
		if (rest_memeq_const_time(hash, t->tokens[i].hash, sizeof(hash)) && !found)
			found = &t->tokens[i];
	return found;
}

const char *rest_bearer_token(const char *authorization)
{
	if (!authorization || strncasecmp(authorization, "Bearer ", 7) != 0)
		return NULL;
	authorization += 7;
	while (*authorization == ' ')
		authorization++;
	return *authorization ? authorization : NULL;
}

int rest_peer_from_fd(int fd, RestPeer *ret)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	RestPeer p = {};

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	p.pid = cred.pid;
	/* Now, with the credentials: polkit then refuses a later process of the same pid. 0 if it is gone. */
	if (auth_process_start_time(p.pid, &p.start_time) < 0)
		p.start_time = 0;
	p.uid = cred.uid;
	p.gid = cred.gid;
	len = sizeof(p.groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, p.groups, &len) >= 0)
		p.n_groups = len / sizeof(gid_t);
	else
		log_debug_errno(errno, "SO_PEERGROUPS failed, deciding on the primary group alone: %m");
	*ret = p;
	return 0;
}
