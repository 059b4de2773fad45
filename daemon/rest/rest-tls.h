/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The TLS certificate of the REST TCP listeners (TLSCertificate=, TLSKey=),
 * handed to each new handshake by libmicrohttpd's certificate callback, so
 * that a reload (SIGHUP) changes what new connections get without touching
 * the open ones. Every certificate loaded stays allocated until the server
 * stops: a connection that shook hands with an older one may still point at
 * it (a few KiB per reload).
 */
#pragma once

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>

#include "config.h"

typedef struct RestTls RestTls;

/* Reads and parses the PEM files below c->root; -EINVAL (logged) if the key is not the certificate's. */
int rest_tls_load(const Config *c, RestTls **ret);
/* Frees t and every certificate loaded before it (rest_tls_load chains them). */
RestTls *rest_tls_free(RestTls *t);
/* t (or NULL: none) is what new handshakes get; prev, if any, is chained to t and freed with it. */
void rest_tls_use(RestTls *t, RestTls *prev);

/* For MHD_OPTION_HTTPS_CERT_CALLBACK: the certificate in use. */
int rest_tls_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_dn, int nreqs,
		      const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length, gnutls_pcert_st **pcert,
		      unsigned int *pcert_length, gnutls_privkey_t *pkey);
