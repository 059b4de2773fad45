// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "macro.h"
#include "rest-tls.h"
#include "store.h"

#define CHAIN_MAX 16

struct RestTls {
	gnutls_pcert_st chain[CHAIN_MAX];
	unsigned n_chain;
	gnutls_privkey_t key;
	RestTls *older;           /* loaded before: kept for connections that still use it */
};

/* One process, one REST server: what libmicrohttpd's callback (which has no closure) hands out. */
static RestTls *current;

RestTls *rest_tls_free(RestTls *t)
{
	while (t) {
		RestTls *older = t->older;

		if (current == t)
			current = NULL;
		for (unsigned i = 0; i < t->n_chain; i++)
			gnutls_pcert_deinit(&t->chain[i]);
		if (t->key)
			gnutls_privkey_deinit(t->key);
		free(t);
		t = older;
	}
	return NULL;
}

static int read_pem(const Config *c, const char *setting, const char *path, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *p = NULL;
	int r;

	if (isempty(path) || path[0] != '/')
		return log_error_errno(EINVAL, "%s=%s is not an absolute path: give the PEM file's full path.",
				       setting, strempty(path));
	if (asprintf(&p, "%s%s", strempty(c->root), path) < 0)
		return log_oom();
	r = store_read(p, ret, ret_len);
	if (r == -EBADFD)
		return log_error_errno(r, "%s=%s is not a regular file.", setting, p);
	if (r == -EFBIG)
		return log_error_errno(r, "%s=%s is larger than 1 MiB: not a PEM file.", setting, p);
	if (r < 0)
		return log_error_errno(r, "Failed to read %s=%s: %m", setting, p);
	return 0;
}

/* Whether key is the private half of the certificate's public key. */
static int key_matches(gnutls_privkey_t key, gnutls_pubkey_t cert_key)
{
	gnutls_pubkey_t pub = NULL;
	unsigned char a[64], b[64];
	size_t na = sizeof(a), nb = sizeof(b);
	int ok;

	if (gnutls_pubkey_init(&pub) < 0)
		return -ENOMEM;
	ok = gnutls_pubkey_import_privkey(pub, key, 0, 0) >= 0 &&
	     gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA256, a, &na) >= 0 &&
	     gnutls_pubkey_get_key_id(cert_key, GNUTLS_KEYID_USE_SHA256, b, &nb) >= 0 &&
	     na == nb && memcmp(a, b, na) == 0;
	gnutls_pubkey_deinit(pub);
	return ok;
}

int rest_tls_load(const Config *c, RestTls **ret)
{
	_cleanup_free_ char *cert = NULL, *key = NULL;
	size_t cert_len, key_len;
	gnutls_datum_t d;
	RestTls *t;
	int r;

	r = read_pem(c, "TLSCertificate", c->api_tls_certificate, &cert, &cert_len);
	if (r >= 0)
		r = read_pem(c, "TLSKey", c->api_tls_key, &key, &key_len);
	if (r < 0)
		return r;
	t = calloc(1, sizeof(*t));
	if (!t)
		return log_oom();
	t->n_chain = CHAIN_MAX;
	d = (gnutls_datum_t) { .data = (unsigned char *) cert, .size = cert_len };
	r = gnutls_pcert_list_import_x509_raw(t->chain, &t->n_chain, &d, GNUTLS_X509_FMT_PEM, 0);
	if (r < 0 || t->n_chain == 0) {
		t->n_chain = 0;
		rest_tls_free(t);
		return log_error_errno(EINVAL, "TLSCertificate=%s holds no PEM certificate (at most %d in a chain): %s",
				       c->api_tls_certificate, CHAIN_MAX, r < 0 ? gnutls_strerror(r) : "none found");
	}
	d = (gnutls_datum_t) { .data = (unsigned char *) key, .size = key_len };
	if (gnutls_privkey_init(&t->key) < 0) {
		rest_tls_free(t);
		return log_oom();
	}
	r = gnutls_privkey_import_x509_raw(t->key, &d, GNUTLS_X509_FMT_PEM, NULL, 0);
	if (r < 0) {
		rest_tls_free(t);
		return log_error_errno(EINVAL, "TLSKey=%s holds no unencrypted PEM private key: %s",
				       c->api_tls_key, gnutls_strerror(r));
	}
	r = key_matches(t->key, t->chain[0].pubkey);
	if (r <= 0) {
		rest_tls_free(t);
		return r < 0 ? log_oom() : log_error_errno(EINVAL, "TLSKey=%s is not the key of TLSCertificate=%s.",
							  c->api_tls_key, c->api_tls_certificate);
	}
	*ret = t;
	return 0;
}

void rest_tls_use(RestTls *t, RestTls *prev)
{
	if (t)
		t->older = prev;
	current = t;
}

int rest_tls_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_dn, int nreqs,
		      const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length, gnutls_pcert_st **pcert,
		      unsigned int *pcert_length, gnutls_privkey_t *pkey)
{
	if (!current)
		return -1;
	*pcert = current->chain;
	*pcert_length = current->n_chain;
	*pkey = current->key;
	return 0;
}
