/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers of the benchmark programs: a monotonic clock, sysfs writes and a
 * minimal HTTP/1.1 client on one keep-alive connection. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

uint64_t now_ns(void);
/* Prints one sample in microseconds, one per line, as the orchestrator reads them. */
void print_sample(uint64_t start_ns, uint64_t end_ns);

int write_file(const char *path, const char *value);
/* The n-th UUID of a run: deterministic so that a failed run leaves names one can find. */
void bench_uuid(char out[37], unsigned series, unsigned n);

typedef struct Http {
	int fd;
	char buf[1 << 21];  /* a listing of 1000 definitions is ~0.4 MB */
	size_t len;     /* bytes in buf not consumed yet */
} Http;

/* A unix socket path, or "HOST:PORT" for TCP. */
int http_connect(Http *h, const char *address);
void http_close(Http *h);
int http_send(Http *h, const char *method, const char *path, const char *json_body);
/* Reads one response; the status is returned, the body (NUL-terminated, or NULL) in *body. */
int http_read_response(Http *h, char **body);
int http_request(Http *h, const char *method, const char *path, const char *json_body, char **body);
/* Reads stream bytes until needle appears (for SSE); -ETIMEDOUT after timeout_ms. */
int http_wait_for(Http *h, const char *needle, int timeout_ms);
