// SPDX-License-Identifier: GPL-2.0-only
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

void print_sample(uint64_t start_ns, uint64_t end_ns)
{
	printf("%.1f\n", (double) (end_ns - start_ns) / 1000.0);
}

int write_file(const char *path, const char *value)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t n = strlen(value);

	if (fd < 0)
		return -errno;
	if (write(fd, value, n) != (ssize_t) n)
		return -errno;
	return 0;
}

void bench_uuid(char out[37], unsigned series, unsigned n)
{
	snprintf(out, 37, "b0b0%04x-0000-4000-8000-%012x", series & 0xffff, n);
}

int http_connect(Http *h, const char *address)
{
	union {
		struct sockaddr sa;
		struct sockaddr_un un;
		struct sockaddr_in in;
	} sa = {};
	const char *colon = strrchr(address, ':');
	socklen_t len;

	h->len = 0;
	if (address[0] == '/') {
		if (strlen(address) >= sizeof(sa.un.sun_path))
			return -ENAMETOOLONG;
		sa.un.sun_family = AF_UNIX;
		strcpy(sa.un.sun_path, address);
		len = sizeof(sa.un);
	} else {
		char host[64];

		if (!colon)
			return -EINVAL;
		snprintf(host, sizeof(host), "%.*s", (int) (colon - address), address);
		sa.in.sin_family = AF_INET;
		sa.in.sin_port = htons(atoi(colon + 1));
		if (inet_pton(AF_INET, host, &sa.in.sin_addr) != 1)
			return -EINVAL;
		len = sizeof(sa.in);
	}
	h->fd = socket(sa.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (h->fd < 0)
		return -errno;
	if (connect(h->fd, &sa.sa, len) < 0)
		return -errno;
	return 0;
}

void http_close(Http *h)
{
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
}

int http_send(Http *h, const char *method, const char *path, const char *json_body)
{
	char req[4096];
	int n;

	if (json_body)
		n = snprintf(req, sizeof(req),
			     "%s %s HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
			     "Content-Length: %zu\r\n\r\n%s",
			     method, path, strlen(json_body), json_body);
	else
		n = snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: localhost\r\n\r\n", method, path);
	if (n < 0 || (size_t) n >= sizeof(req))
		return -E2BIG;
	for (int off = 0; off < n;) {
		ssize_t w = write(h->fd, req + off, n - off);

		if (w < 0)
			return -errno;
		off += w;
	}
	return 0;
}

/* Appends what the socket has to buf; -ECONNRESET at EOF. */
static int http_fill(Http *h)
{
	ssize_t r;

	if (h->len >= sizeof(h->buf) - 1)
		return -ENOBUFS;
	r = read(h->fd, h->buf + h->len, sizeof(h->buf) - 1 - h->len);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -ECONNRESET;
	h->len += r;
	h->buf[h->len] = 0;
	return 0;
}

static void http_consume(Http *h, size_t n)
{
	memmove(h->buf, h->buf + n, h->len - n);
	h->len -= n;
	h->buf[h->len] = 0;
}

int http_read_response(Http *h, char **body)
{
	char *end;
	int status, r;
	size_t head, length = 0;

	h->buf[h->len] = 0;
	while (!(end = strstr(h->buf, "\r\n\r\n")))
		if ((r = http_fill(h)) < 0)
			return r;
	head = end + 4 - h->buf;
	if (sscanf(h->buf, "HTTP/1.1 %d", &status) != 1)
		return -EBADMSG;
	for (char *l = strstr(h->buf, "\r\n"); l && l < end; l = strstr(l + 2, "\r\n"))
		if (strncasecmp(l + 2, "Content-Length:", 15) == 0)
			length = strtoul(l + 17, NULL, 10);
	while (h->len < head + length)
		if ((r = http_fill(h)) < 0)
			return r;
	if (body) {
		*body = strndup(h->buf + head, length);
		if (!*body)
			return -ENOMEM;
	}
	http_consume(h, head + length);
	return status;
}

int http_request(Http *h, const char *method, const char *path, const char *json_body, char **body)
{
	int r = http_send(h, method, path, json_body);

	return r < 0 ? r : http_read_response(h, body);
}

int http_wait_for(Http *h, const char *needle, int timeout_ms)
{
	uint64_t deadline = now_ns() + (uint64_t) timeout_ms * 1000000ULL;

	for (;;) {
		char *hit = strstr(h->buf, needle);

		if (hit) {
			http_consume(h, hit + strlen(needle) - h->buf);
			return 0;
		}
		/* Keep the tail that may hold the start of the needle. */
		if (h->len > sizeof(h->buf) / 2)
			http_consume(h, h->len - strlen(needle));

		uint64_t now = now_ns();
		struct pollfd p = { .fd = h->fd, .events = POLLIN };

		if (now >= deadline)
			return -ETIMEDOUT;
		int r = poll(&p, 1, (int) ((deadline - now) / 1000000ULL) + 1);
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		if ((r = http_fill(h)) < 0)
			return r;
	}
}
