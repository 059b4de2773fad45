// SPDX-License-Identifier: GPL-2.0-only
/*
 * GET /v1/events: the core's events as Server-Sent Events, the same ones the
 * D-Bus adapter sends as signals. Every event is rendered once into a bounded
 * history; each client is only a position in it, so a slow client costs no
 * memory of its own. A client that falls behind the history is cut off alone
 * (it reconnects with Last-Event-ID and is told to resync). A client with
 * nothing to read is suspended and resumed when an event or a heartbeat
 * comes, so nothing polls.
 */
#include <errno.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"
#include "manager.h"
#include "rest-request.h"
#include "rest-problem.h"
#include "rest-json.h"
#include "rest-events.h"

typedef struct Client Client;

struct RestEvents {
	Manager *manager;
	sd_event_source *wake;    /* the server's (rest_wake) */
	RestEventsHistory history;
	sd_event_source *heartbeat;
	Client *clients;
};

struct Client {
	RestEvents *events;
	struct MHD_Connection *connection;
	uint64_t pos;
	size_t off;
	const char *pending;      /* a control frame to send before events */
	size_t pending_off;
	bool suspended;
	bool closing;
	bool gone;                /* the client hung up while suspended */
	sd_event_source *hangup;  /* while suspended: MHD does not watch the socket then */
	Client *prev, *next;
};

#define FRAME_HELLO "retry: 2000\n\n"
#define FRAME_RESYNC "event: resync\ndata: {}\n\n"
#define FRAME_HEARTBEAT ": heartbeat\n\n"

void rest_events_history_init(RestEventsHistory *h, uint64_t start_id)
{
	*h = (RestEventsHistory) { .first_id = start_id, .next_id = start_id };
}

void rest_events_history_done(RestEventsHistory *h)
{
	for (size_t i = 0; i < REST_EVENTS_HISTORY; i++)
		free(h->frames[i]);
	*h = (RestEventsHistory) {};
}

int rest_events_history_append(RestEventsHistory *h, const char *name, json_t *data)
{
	_cleanup_free_ char *json = json_dumps(data, JSON_COMPACT);
	char *frame;
	size_t slot = h->next_id % REST_EVENTS_HISTORY;

	if (!json || asprintf(&frame, "id: %" PRIu64 "\nevent: %s\ndata: %s\n\n", h->next_id, name, json) < 0)
		return -ENOMEM;
	if (h->next_id - h->first_id == REST_EVENTS_HISTORY)
		h->first_id++;
	free(h->frames[slot]);
	h->frames[slot] = frame;
	h->next_id++;
	return 0;
}

ssize_t rest_events_history_read(const RestEventsHistory *h, uint64_t *pos, size_t *off, char *buf, size_t size)
{
	size_t n = 0;

	if (*pos < h->first_id && *pos < h->next_id)
		return -ESTALE;
	while (n < size && *pos < h->next_id) {
		const char *f = h->frames[*pos % REST_EVENTS_HISTORY];
		size_t len = strlen(f) - *off, k = len < size - n ? len : size - n;

		memcpy(buf + n, f + *off, k);
		n += k;
		*off += k;
		if (k == len) {
			(*pos)++;
			*off = 0;
		}
	}
	return n;
}

int rest_events_history_resume(const RestEventsHistory *h, const char *last_event_id, uint64_t *ret)
{
	char *end;
	uint64_t id;

	*ret = h->next_id;
	if (!last_event_id)
		return 0;
	errno = 0;
	id = strtoull(last_event_id, &end, 10);
	if (errno || end == last_event_id || *end || id >= h->next_id || id + 1 < h->first_id)
		return -ESTALE;
	*ret = id + 1;
	return 0;
}

static void client_resume(Client *c)
{
	c->hangup = sd_event_source_disable_unref(c->hangup);
	if (!c->suspended)
		return;
	c->suspended = false;
	MHD_resume_connection(c->connection);
}

/* A suspended client went away: end its stream now, so it stops holding a connection. */
static int on_hangup(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	Client *c = userdata;

	c->gone = true;
	client_resume(c);
	rest_wake(c->events->wake);
	return 0;
}

static void client_suspend(Client *c)
{
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(c->connection,
								       MHD_CONNECTION_INFO_CONNECTION_FD);
	int r;

	c->hangup = sd_event_source_disable_unref(c->hangup);
	r = info ? sd_event_add_io(c->events->manager->event, &c->hangup, info->connect_fd, EPOLLRDHUP,
				   on_hangup, c) : -EBADF;
	if (r < 0)
		log_debug_errno(r, "Not watching a suspended event stream for its client leaving: %m");
	c->suspended = true;
	MHD_suspend_connection(c->connection);
}

static void resume_all(RestEvents *ev)
{
	for (Client *c = ev->clients; c; c = c->next)
		client_resume(c);
	rest_wake(ev->wake);
}

static ssize_t copy_pending(Client *c, char *buf, size_t max)
{
	size_t len = strlen(c->pending) - c->pending_off, k = len < max ? len : max;

	memcpy(buf, c->pending + c->pending_off, k);
	c->pending_off += k;
	if (c->pending_off == strlen(c->pending)) {
		c->pending = NULL;
		c->pending_off = 0;
	}
	return k;
}

/*
 * The idle stream's buffer back to the kernel. buf is MHD's: the write
 * buffer of the connection's pool (~32 KiB, all of it zeroed by MHD when the
 * request's read buffer gave way to it, so resident), and ours to fill up to
 * max. Discarding its whole pages is the same as filling them with zeros, and
 * they come back when a burst of events is written there. An idle stream so
 * costs ~8 KiB instead of ~26 (docs/PERFORMANCE.md).
 */
static void buffer_discard(char *buf, size_t max)
{
	uintptr_t page = (uintptr_t) sysconf(_SC_PAGESIZE);
	uintptr_t start = ((uintptr_t) buf + page - 1) & ~(page - 1);
	uintptr_t end = ((uintptr_t) buf + max) & ~(page - 1);

	if (end > start && madvise((void *) start, end - start, MADV_DONTNEED) < 0)
		log_debug_errno(errno, "Failed to give an event stream's idle buffer back, ignoring: %m");
}

static ssize_t client_read(void *cls, uint64_t offset, char *buf, size_t max)
{
	Client *c = cls;
	ssize_t n;


	if (c->gone)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (c->closing)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (c->pending && c->off == 0)
		return copy_pending(c, buf, max);
	n = rest_events_history_read(&c->events->history, &c->pos, &c->off, buf, max);
	if (n == -ESTALE) {
		log_info("Cutting off an event stream client %" PRIu64 " events behind: too slow.",
			 c->events->history.next_id - c->pos);
		return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	if (n > 0)
		return n;
	buffer_discard(buf, max);
	client_suspend(c);
	return 0;
}

static void client_free(void *cls)
{
	Client *c = cls;

	sd_event_source_disable_unref(c->hangup);
	if (c->prev)
		c->prev->next = c->next;
	else if (c->events)
		c->events->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free(c);
}

struct MHD_Response *rest_events_response(RestEvents *ev, RestRequest *req)
{
	struct MHD_Response *response;
	Client *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->events = ev;
	c->connection = req->connection;
	c->pending = FRAME_HELLO;
	if (rest_events_history_resume(&ev->history, rest_request_header(req, "Last-Event-ID"), &c->pos) < 0)
		c->pending = FRAME_HELLO FRAME_RESYNC;
	/*
	 * MHD gives a chunked response's callback its write buffer whatever the
	 * block size (measured: 32646 bytes with a 32 KiB pool); the block is a
	 * zeroed allocation of its own per stream, so small: 1 KiB.
	 */
	response = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024, client_read, c, client_free);
	if (!response) {
		free(c);
		return NULL;
	}
	c->next = ev->clients;
	if (c->next)
		c->next->prev = c;
	ev->clients = c;
	req->stream = c;
	(void) MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
	(void) MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	return response;
}

static void on_event(Manager *m, const Event *e, void *userdata)
{
	RestEvents *ev = userdata;
	_cleanup_(json_decrefp) json_t *data = e->vgpu ? rest_json_vgpu(m, e->vgpu) :
					      e->parent ? rest_json_parent(e->parent) :
					      e->definition ? rest_json_definition(m, e->definition) : rest_json_host(m);
	int r;

	r = data ? rest_events_history_append(&ev->history, event_kind_to_string(e->kind), data) : -ENOMEM;
	if (r < 0) {
		log_warning_errno(r, "Failed to record a %s event for the REST stream, ignoring: %m",
				  event_kind_to_string(e->kind));
		return;
	}
	resume_all(ev);
}

static int on_heartbeat(sd_event_source *s, uint64_t usec, void *userdata)
{
	RestEvents *ev = userdata;

	for (Client *c = ev->clients; c; c = c->next)
		if (!c->pending) {
			c->pending = FRAME_HEARTBEAT;
			client_resume(c);
		}
	rest_wake(ev->wake);
	return sd_event_source_set_time_relative(s, REST_EVENTS_HEARTBEAT_USEC);
}

int rest_events_new(Manager *m, sd_event_source *wake, RestEvents **ret)
{
	RestEvents *ev = calloc(1, sizeof(*ev));
	struct timespec now;
	int r;

	if (!ev)
		return -ENOMEM;
	ev->manager = m;
	ev->wake = wake;
	clock_gettime(CLOCK_REALTIME, &now);
	rest_events_history_init(&ev->history, (uint64_t) now.tv_sec * 1000000 + now.tv_nsec / 1000);
	r = sd_event_add_time_relative(m->event, &ev->heartbeat, CLOCK_MONOTONIC, REST_EVENTS_HEARTBEAT_USEC, 0,
				       on_heartbeat, ev);
	if (r >= 0)
		r = sd_event_source_set_enabled(ev->heartbeat, SD_EVENT_ON);
	if (r >= 0)
		r = manager_subscribe(m, on_event, ev);
	if (r < 0) {
		sd_event_source_disable_unref(ev->heartbeat);
		free(ev);
		return r;
	}
	*ret = ev;
	return 0;
}

void rest_events_shutdown(RestEvents *ev)
{
	for (Client *c = ev->clients; c; c = c->next) {
		c->closing = true;
		client_resume(c);
	}
}

RestEvents *rest_events_free(RestEvents *ev)
{
	if (!ev)
		return NULL;
	manager_unsubscribe(ev->manager, on_event, ev);
	/* Connections still open drop their clients later: they must not reach back. */
	for (Client *c = ev->clients; c; c = c->next)
		c->events = NULL;
	sd_event_source_disable_unref(ev->heartbeat);
	rest_events_history_done(&ev->history);
	free(ev);
	return NULL;
}
