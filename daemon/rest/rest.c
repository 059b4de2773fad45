// SPDX-License-Identifier: GPL-2.0-only
/*
 * libmicrohttpd on gvtd's loop, as systemd-journal-remote does it: no thread
 * of MHD's own (MHD_USE_EPOLL | MHD_USE_ITC), its epoll fd an sd-event io
 * source, a timer set from MHD_get_timeout(). Handlers run on the loop like
 * D-Bus methods; work that waits suspends its connection. Every socket is
 * non-blocking, so a client that stalls holds only its own connection.
 *
 * Listeners: the unix socket (caller = SO_PEERCRED, authorized like a D-Bus
 * caller), sockets passed by systemd, and an optional TCP listener where
 * every request needs a bearer token and a non-loopback address needs TLS.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>

#include "definitions.h"
#include "log.h"
#include "manager.h"
#include "rest.h"
#include "unix-socket.h"
#include "rest-json.h"
#include "rest-problem.h"
#include "rest-connections.h"
#include "rest-events.h"
#include "rest-metrics.h"
#include "rest-routes.h"
#include "rest-tls.h"

#define LISTENERS_MAX 8
#define CONNECTION_TIMEOUT_SEC 30
#define CONNECTION_MEMORY (32 * 1024)   /* headers beyond that: 431 */

typedef struct Listener {
	RestServer *server;
	struct MHD_Daemon *daemon;
	sd_event_source *io;
	sd_event_source *timer;
	bool tcp;                 /* every request needs a bearer token */
	char *unlink_path;        /* a socket we created */
} Listener;

struct RestServer {
	Manager *manager;
	RestEvents *events;
	Listener listeners[LISTENERS_MAX];
	size_t n_listeners;
	RestConnections *connections;
	sd_event_source *wake;    /* runs MHD after connections were resumed */
	RestCache listing;        /* GET /v1/vgpus */
	RestMetrics metrics;      /* requests answered (GET /metrics) */
	RestTls *tls;             /* the TLS listeners' certificate (the newest; older ones chained) */
};

RestEvents *rest_server_events(RestServer *s)
{
	return s->events;
}

/* ---- requests ---- */

static void request_free(RestRequest *req)
{
	if (!req)
		return;
	rest_reply_done(&req->reply);
	json_decref(req->body);
	free(req->upload);
	free(req->path);
	free(req->token_owner);
	free(req);
}

/* Who is asking: 0, or 1 with a 401 in req->reply. */
static int identify(Listener *l, RestRequest *req, RestPeer *peer)
{
	const union MHD_ConnectionInfo *info;
	const Token *t;

	if (l->tcp) {
		t = tokens_find(&l->server->manager->tokens,
				rest_bearer_token(rest_request_header(req, MHD_HTTP_HEADER_AUTHORIZATION)));
		if (!t) {
			(void) rest_problem(&req->reply, 401, "Unauthorized", NULL,
					    "A valid bearer token is required (Authorization: Bearer TOKEN)");
			req->reply.authenticate = true;
			return 1;
		}
		req->token_owner = strdup(t->owner);
		if (!req->token_owner) {
			(void) rest_problem(&req->reply, 500, "Failed", NULL, "Out of memory");
			return 1;
		}
		req->caller = (Caller) { .uid = (uid_t) -1, .gid = (gid_t) -1, .role = t->role,
					 .owner = req->token_owner };
		return 0;
	}
	info = MHD_get_connection_info(req->connection, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (!info || rest_peer_from_fd(info->connect_fd, peer) < 0) {
		(void) rest_problem(&req->reply, 401, "Unauthorized", NULL, "Could not tell who the caller is");
		return 1;
	}
	req->caller = (Caller) { .uid = peer->uid, .gid = peer->gid, .groups = peer->groups,
				 .n_groups = peer->n_groups, .pid = peer->pid,
				 .start_time = peer->start_time };
	return 0;
}

static bool content_type_is_json(const char *s)
{
	size_t n = strlen("application/json");

	return s && strncasecmp(s, "application/json", n) == 0 && (s[n] == '\0' || s[n] == ';' || s[n] == ' ');
}

/* Everything decided from the request line and headers: 0 go on, 1 with req->reply set. */
/* Neither a Content-Type nor a length above 0 (nor chunks): a request without a body. */
static bool request_has_no_body(RestRequest *req)
{
	const char *length = rest_request_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);

	return !rest_request_header(req, MHD_HTTP_HEADER_CONTENT_TYPE) &&
	       !rest_request_header(req, MHD_HTTP_HEADER_TRANSFER_ENCODING) && (!length || streq(length, "0"));
}

static int request_begin(Listener *l, RestRequest *req, const char *method)
{
	const char *length;
	unsigned allow;
	int r;

	req->method = rest_method_from_string(method);
	if (rest_connections_count(l->server->connections) > l->server->manager->config.api_max_connections) {
		(void) rest_problem(&req->reply, 503, "TooManyConnections", NULL,
				    "Too many connections (%u): try again later",
				    l->server->manager->config.api_max_connections);
		req->reply.retry_after = 1;
		return 1;
	}
	if (identify(l, req, &req->peer) != 0)
		return 1;
	r = req->method ? rest_route_find(req->path, req->method, &req->route, &req->param, &allow) : -EOPNOTSUPP;
	if (r == -ENOENT) {
		(void) rest_problem(&req->reply, 404, "NotFound", NULL, "No resource %.128s: see GET /v1", req->path);
		return 1;
	}
	if (r < 0) {
		(void) rest_problem(&req->reply, 405, "MethodNotAllowed", NULL, "%.16s is not allowed on %.128s",
				    method, req->path);
		req->reply.allow = allow;
		return 1;
	}
	if ((req->method & (REST_POST | REST_PUT | REST_PATCH)) && !request_has_no_body(req)) {
		if (!content_type_is_json(rest_request_header(req, MHD_HTTP_HEADER_CONTENT_TYPE))) {
			(void) rest_problem(&req->reply, 415, "UnsupportedMediaType", NULL,
					    "The body must be application/json");
			return 1;
		}
		length = rest_request_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (length && strtoull(length, NULL, 10) > REST_BODY_MAX) {
			(void) rest_problem(&req->reply, 413, "PayloadTooLarge", NULL,
					    "The body may have at most %d bytes", REST_BODY_MAX);
			return 1;
		}
	}
	return 0;
}

static void upload_append(RestRequest *req, const char *data, size_t size)
{
	char *n;

	if (req->upload_too_large)
		return;
	if (req->upload_size + size > REST_BODY_MAX) {
		req->upload_too_large = true;
		return;
	}
	n = realloc(req->upload, req->upload_size + size + 1);
	if (!n) {
		req->upload_too_large = true;
		return;
	}
	memcpy(n + req->upload_size, data, size);
	req->upload = n;
	req->upload_size += size;
}

int rest_body_parse(const char *buf, size_t len, json_t **ret, RestReply *reply)
{
	_cleanup_(json_decrefp) json_t *body = NULL;
	json_error_t error;
	int r;

	assert(buf || len == 0);
	assert(ret);
	assert(reply);
	body = json_loadb(buf ?: "", len, JSON_REJECT_DUPLICATES, &error);
	if (body) {
		*ret = TAKE_PTR(body);
		return 0;
	}
	r = rest_problem(reply, 400, "MalformedJson", NULL, "Malformed JSON at line %d, column %d: %s", error.line,
			 error.column, error.text);
	if (r >= 0)
		json_object_update_new(reply->body, json_pack("{s:i, s:i, s:i}", "line", error.line, "column",
							      error.column, "position", error.position));
	return r < 0 ? r : 1;
}

/* The whole request is in: parse the body, run the handler. */
static int request_run(RestRequest *req)
{
	if (req->upload_too_large)
		return rest_problem(&req->reply, 413, "PayloadTooLarge", NULL, "The body may have at most %d bytes",
				    REST_BODY_MAX);
	/* No body at all (e.g. POST …/start): req->body stays NULL; handlers that need one say so. */
	if ((req->method & (REST_POST | REST_PUT | REST_PATCH)) && !req->body &&
	    !(req->upload_size == 0 && request_has_no_body(req))) {
		int r = rest_body_parse(req->upload, req->upload_size, &req->body, &req->reply);

		if (r != 0)
			return r < 0 ? r : 0;
	}
	return rest_route_dispatch(req);
}

/* Every answer goes out here, counted by route, method and status. */
static enum MHD_Result reply_queue(Listener *l, RestRequest *req)
{
	const RestRoute *route = req->route;
	const char *param;
	unsigned allow;

	/* refused before routing (401, 503): counted under the route it asked for */
	if (!route && rest_route_find(req->path, req->method, &route, &param, &allow) < 0)
		route = NULL;
	rest_metrics_count(&l->server->metrics, route, req->method, req->reply.status);
	return rest_reply_queue(req->connection, &req->reply);
}

/* Our record of an MHD connection (connection_notify made it). */
static RestConnection *connection_of(struct MHD_Connection *connection)
{
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection,
								       MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return info ? info->socket_context : NULL;
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *connection, const char *url,
				      const char *method, const char *version, const char *upload_data,
				      size_t *upload_data_size, void **con_cls)
{
	Listener *l = cls;
	RestRequest *req = *con_cls;
	struct MHD_Response *stream;
	enum MHD_Result ret;
	int r;

	if (!req) {
		req = calloc(1, sizeof(*req));
		if (!req || !(req->path = strdup(url))) {
			free(req);
			return MHD_NO;
		}
		req->manager = l->server->manager;
		req->wake = l->server->wake;
		req->listing = &l->server->listing;
		req->metrics = &l->server->metrics;
		req->connection = connection;
		*con_cls = req;
		if (connection_of(connection))
			connection_of(connection)->request = req;
		if (request_begin(l, req, method) != 0) {
			req->handled = true;
			rest_connection_received(connection_of(connection));
			return reply_queue(l, req);
		}
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		upload_append(req, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	rest_connection_received(connection_of(connection));
	if (req->handled)
		return reply_queue(l, req);

	r = request_run(req);
	if (r < 0) {
		log_warning_errno(r, "Failed to answer %s %s: %m", method, url);
		if (rest_problem(&req->reply, 500, "Failed", NULL, "Internal error: %s", strerror(-r)) < 0)
			return MHD_NO;
	} else if (r == REST_SUSPENDED) {
		req->suspended = true;
		MHD_suspend_connection(connection);
		return MHD_YES;
	} else if (r == REST_STREAM) {
		stream = rest_events_response(l->server->events, req);
		if (!stream)
			return MHD_NO;
		req->handled = true;
		rest_metrics_count(&l->server->metrics, req->route, req->method, MHD_HTTP_OK);
		ret = MHD_queue_response(connection, MHD_HTTP_OK, stream);
		MHD_destroy_response(stream);
		return ret;
	}
	req->handled = true;
	return reply_queue(l, req);
}

static void request_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
			      enum MHD_RequestTerminationCode toe)
{
	RestConnection *c = connection_of(connection);

	request_free(*con_cls);
	*con_cls = NULL;
	if (c) {
		c->request = NULL;
		/* Kept alive: the next request has RequestTimeoutSec= again. */
		if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
			rest_connection_idle(c);
	}
}

static void connection_notify(void *cls, struct MHD_Connection *connection, void **socket_context,
			      enum MHD_ConnectionNotificationCode toe)
{
	Listener *l = cls;
	const union MHD_ConnectionInfo *info;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
		*socket_context = info ? rest_connection_new(l->server->connections, info->connect_fd) : NULL;
		if (!*socket_context)
			log_warning("Out of memory for a REST connection's record: it has no deadline.");
	} else {
		rest_connection_free(*socket_context);
		*socket_context = NULL;
	}
}

_printf_(2, 0) static void mhd_log(void *cls, const char *format, va_list ap)
{
	char buf[256];

	vsnprintf(buf, sizeof(buf), format, ap);
	buf[strcspn(buf, "\n")] = '\0';
	log_debug("libmicrohttpd: %s", buf);
}

/* ---- MHD on sd-event ---- */

static void listener_rearm(Listener *l)
{
	MHD_UNSIGNED_LONG_LONG ms;
	int r;

	if (MHD_get_timeout(l->daemon, &ms) != MHD_YES) {
		(void) sd_event_source_set_enabled(l->timer, SD_EVENT_OFF);
		return;
	}
	r = sd_event_source_set_time_relative(l->timer, ms * 1000);
	if (r >= 0)
		r = sd_event_source_set_enabled(l->timer, SD_EVENT_ONESHOT);
	if (r < 0)
		log_warning_errno(r, "Failed to arm the HTTP timer, ignoring: %m");
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	Listener *l = userdata;

	if (MHD_run(l->daemon) != MHD_YES)
		log_warning("libmicrohttpd failed to process its sockets, ignoring.");
	listener_rearm(l);
	return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	return on_io(NULL, -1, 0, userdata);
}

/*
 * MHD notes a resumed connection but, without a thread of its own, only
 * serves it in the next MHD_run(): its inter-thread pipe does not reliably
 * make the epoll fd readable. So whoever resumes wakes us.
 */
static int on_wake(sd_event_source *source, void *userdata)
{
	RestServer *s = userdata;

	for (size_t i = 0; i < s->n_listeners; i++)
		(void) on_io(NULL, -1, 0, &s->listeners[i]);
	return 0;
}

static void listener_done(Listener *l)
{
	sd_event_source_disable_unref(l->io);
	sd_event_source_disable_unref(l->timer);
	if (l->daemon)
		MHD_stop_daemon(l->daemon);
	if (l->unlink_path)
		(void) unlink(l->unlink_path);
	free(l->unlink_path);
	*l = (Listener) {};
}

static int listener_start(RestServer *s, int fd, bool tcp, const char *unlink_path, bool tls)
{
	Listener *l;
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	struct MHD_OptionItem options[16];
	size_t n = 0;
	int r;

	if (s->n_listeners >= LISTENERS_MAX) {
		close(fd);
		return log_error_errno(E2BIG, "Too many REST listeners, at most %d.", LISTENERS_MAX);
	}
	l = &s->listeners[s->n_listeners];
	*l = (Listener) { .server = s, .tcp = tcp };
	if (unlink_path && !(l->unlink_path = strdup(unlink_path))) {
		close(fd);
		listener_done(l);
		return log_oom();
	}
	if (tls && !s->tls) {
		r = rest_tls_load(&s->manager->config, &s->tls);
		if (r < 0) {
			close(fd);
			listener_done(l);
			return r;
		}
		rest_tls_use(s->tls, NULL);
	}

#define OPTION(o, v, p) options[n++] = (struct MHD_OptionItem) { (o), (intptr_t) (v), (p) }
	OPTION(MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL);
	OPTION(MHD_OPTION_LISTEN_SOCKET, fd, NULL);
	OPTION(MHD_OPTION_NOTIFY_COMPLETED, request_completed, l);
	OPTION(MHD_OPTION_NOTIFY_CONNECTION, connection_notify, l);
	OPTION(MHD_OPTION_CONNECTION_LIMIT, s->manager->config.api_max_connections + 16, NULL);
	OPTION(MHD_OPTION_CONNECTION_TIMEOUT, CONNECTION_TIMEOUT_SEC, NULL);
	OPTION(MHD_OPTION_CONNECTION_MEMORY_LIMIT, CONNECTION_MEMORY, NULL);
	if (tls) {
		/* Asked at each handshake: a reload changes it for new connections only. */
		flags |= MHD_USE_TLS;
		OPTION(MHD_OPTION_HTTPS_CERT_CALLBACK, 0, rest_tls_retrieve);
	}
	OPTION(MHD_OPTION_END, 0, NULL);
#undef OPTION

	l->daemon = MHD_start_daemon(flags, 0, NULL, NULL, access_handler, l, MHD_OPTION_ARRAY, options,
				     MHD_OPTION_END);
	if (!l->daemon) {
		close(fd);
		listener_done(l);
		return log_error_errno(EINVAL, "Failed to start libmicrohttpd on a REST listener.");
	}
	info = MHD_get_daemon_info(l->daemon, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info) {
		listener_done(l);
		return log_error_errno(EINVAL, "libmicrohttpd has no epoll fd.");
	}
	r = sd_event_add_io(s->manager->event, &l->io, info->epoll_fd, EPOLLIN, on_io, l);
	/*
	 * 1 µs accuracy: MHD asks for "now" when it has queued work (a 431, the
	 * next pipelined request, more of a large one); sd-event's default of
	 * 250 ms delayed each such step and added up to seconds (issue 19 f).
	 */
	if (r >= 0)
		r = sd_event_add_time_relative(s->manager->event, &l->timer, CLOCK_MONOTONIC, 0, 1, on_timer, l);
	if (r < 0) {
		listener_done(l);
		return log_error_errno(r, "Failed to add a REST listener to the event loop: %m");
	}
	s->n_listeners++;
	listener_rearm(l);
	return 0;
}

/* ---- sockets ---- */

/* A configured path below the root prefix. */
static int rooted(const Config *c, const char *path, char **ret)
{
	return asprintf(ret, "%s%s", strempty(c->root), path) < 0 ? -ENOMEM : 0;
}

static int unix_listener(RestServer *s)
{
	const Config *c = &s->manager->config;
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd = -1;
	struct group *g;
	int r;

	if (c->api_socket[0] != '/')
		return log_error_errno(EINVAL, "Socket=%s is not an absolute path: give the full path, e.g. "
				       "Socket=/run/gvtd/api.sock (empty: no unix socket).", c->api_socket);
	if (rooted(c, c->api_socket, &path) < 0)
		return log_oom();
	/* Created 0660 from the start: no moment in which others may connect. */
	r = unix_socket_listen(path, 0117, "the REST socket", &fd);
	if (r < 0)
		return r;
	g = isempty(c->api_socket_group) ? NULL : getgrnam(c->api_socket_group);
	if (g && chown(path, (uid_t) -1, g->gr_gid) < 0)
		log_warning_errno(errno, "Failed to give %s to group %s, ignoring: %m", path, c->api_socket_group);
	else if (!g && !isempty(c->api_socket_group))
		log_warning("Group \"%s\" does not exist: %s is for root alone.", c->api_socket_group, path);
	log_info("REST API on %s.", path);
	return listener_start(s, TAKE_FD(fd), false, path, false);
}

static bool address_is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *) sa)->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *) sa)->sin6_addr;

		return IN6_IS_ADDR_LOOPBACK(a) ||
		       (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return false;
}

/*
 * Every TCP listener, configured or passed by systemd: a network address
 * needs TLS (tokens must not cross a network in the clear). *tls: whether
 * TLSCertificate=/TLSKey= are set (listener_start reads them).
 */
static int tcp_security(const Config *c, const struct sockaddr *sa, const char *what, bool *tls)
{
	*tls = false;
	if (!isempty(c->api_tls_certificate) != !isempty(c->api_tls_key))
		return log_error_errno(EINVAL, "TLSCertificate= and TLSKey= go together.");
	if (isempty(c->api_tls_certificate)) {
		if (!address_is_loopback(sa))
			return log_error_errno(EINVAL, "%s is not a loopback address: set TLSCertificate= and "
					       "TLSKey= too, tokens must not cross a network in the clear.", what);
		return 0;
	}
	*tls = true;
	return 0;
}

static int tcp_listener(RestServer *s)
{
	const Config *c = &s->manager->config;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	_cleanup_free_ char *host = strdup(c->api_listen), *what = NULL;
	bool tls;
	_cleanup_close_ int fd = -1;
	struct addrinfo *ai = NULL;
	char *port, *end;
	unsigned long n;
	int r, one = 1;

	if (!host || asprintf(&what, "ListenTCP=%s", c->api_listen) < 0)
		return log_oom();
	port = strrchr(host, ':');
	if (!port)
		return log_error_errno(EINVAL, "%s: expected ADDRESS:PORT, e.g. 127.0.0.1:8443.", what);
	*port++ = '\0';
	errno = 0;
	n = strtoul(port, &end, 10);
	if (!isdigit((unsigned char) port[0]) || *end || errno || n < 1 || n > 65535)
		return log_error_errno(EINVAL, "%s: the port must be a number from 1 to 65535.", what);
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	r = getaddrinfo(host, port, &hints, &ai);
	if (r != 0)
		return log_error_errno(EINVAL, "%s: %s.", what, gai_strerror(r));
	r = tcp_security(c, ai->ai_addr, what, &tls);
	if (r < 0) {
		freeaddrinfo(ai);
		return r;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd >= 0)
		(void) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	r = fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, SOMAXCONN) < 0 ? -errno : 0;
	freeaddrinfo(ai);
	if (r < 0)
		return log_error_errno(r, "Failed to listen on %s: %m", c->api_listen);
	log_info("REST API on %s (%s).", c->api_listen, tls ? "TLS" : "plain HTTP, loopback");
	return listener_start(s, TAKE_FD(fd), true, NULL, tls);
}

/* A TCP socket from systemd: checked like ListenTCP=, and served with TLS if configured. */
static int activated_tcp_listener(RestServer *s, int fd)
{
	bool tls;
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);
	char what[96], address[INET6_ADDRSTRLEN] = "?";
	int r;

	if (getsockname(fd, (struct sockaddr *) &sa, &len) < 0) {
		r = -errno;
		close(fd);
		return log_error_errno(r, "Failed to ask passed fd %d for its address: %m", fd);
	}
	inet_ntop(sa.ss_family, sa.ss_family == AF_INET ? (void *) &((struct sockaddr_in *) &sa)->sin_addr :
		  (void *) &((struct sockaddr_in6 *) &sa)->sin6_addr, address, sizeof(address));
	snprintf(what, sizeof(what), "The TCP socket passed by systemd (%s)", address);
	r = tcp_security(&s->manager->config, (struct sockaddr *) &sa, what, &tls);
	if (r < 0) {
		close(fd);
		return r;
	}
	log_info("REST API on a TCP socket from systemd (%s, %s).", address, tls ? "TLS" : "plain HTTP, loopback");
	return listener_start(s, fd, true, NULL, tls);
}

/* Sockets from systemd (gvtd-api.socket): unix ones as the API socket, TCP ones as ListenTCP. */
static int activated_listeners(RestServer *s)
{
	int n = sd_listen_fds(true), r;

	for (int fd = SD_LISTEN_FDS_START; fd < SD_LISTEN_FDS_START + n; fd++) {
		if (sd_is_socket_unix(fd, SOCK_STREAM, 1, NULL, 0) > 0)
			r = listener_start(s, fd, false, NULL, false);
		else if (sd_is_socket_inet(fd, AF_UNSPEC, SOCK_STREAM, 1, 0) > 0)
			r = activated_tcp_listener(s, fd);
		else {
			log_warning("Ignoring passed fd %d: not a listening stream socket.", fd);
			close(fd);
			continue;
		}
		if (r < 0)
			return r;
	}
	return n < 0 ? 0 : n;
}

int rest_server_new(Manager *m, RestServer **ret)
{
	RestServer *s;
	int r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return log_oom();
	s->manager = m;
	r = rest_connections_new(m->event, m->config.api_max_connections, m->config.api_request_timeout_sec,
				 &s->connections);
	if (r >= 0)
		r = sd_event_add_defer(m->event, &s->wake, on_wake, s);
	if (r >= 0)
		r = sd_event_source_set_enabled(s->wake, SD_EVENT_OFF);
	if (r >= 0)
		r = rest_events_new(m, s->wake, &s->events);
	if (r >= 0)
		r = tokens_reload(m);
	if (r >= 0)
		r = activated_listeners(s);
	if (r == 0 && !isempty(m->config.api_socket))
		r = unix_listener(s);
	if (r >= 0 && !isempty(m->config.api_listen))
		r = tcp_listener(s);
	if (r < 0) {
		rest_server_free(s);
		return log_error_errno(r, "Failed to start the REST API: %m");
	}
	*ret = s;
	return 0;
}

int rest_server_reload(RestServer *s)
{
	RestTls *t;
	int r;

	if (!s->tls)
		return 0;
	r = rest_tls_load(&s->manager->config, &t);
	if (r < 0)
		return log_error_errno(r, "Keeping the TLS certificate in use: %m");
	rest_tls_use(t, s->tls);
	s->tls = t;
	log_info("New TLS connections get %s%s; open ones keep theirs.", strempty(s->manager->config.root),
		 s->manager->config.api_tls_certificate);
	return 0;
}

/*
 * Stopping: MHD must not be stopped with suspended connections (it aborts),
 * so every request still waiting for the core (polkit, a module load) gets
 * a 503 now, and MHD runs once more to send what it can.
 */
static void requests_shutdown(RestServer *s)
{
	bool resumed = false;

	if (!s->connections)
		return;
	for (RestConnection *c = rest_connections_first(s->connections); c; c = c->all_next) {
		RestRequest *req = c->request;

		if (!req || !req->suspended)
			continue;
		(void) rest_problem(&req->reply, 503, "NotReady", NULL, "gvtd is stopping: try again when it runs");
		req->reply.retry_after = 5;
		rest_request_resume(req);
		resumed = true;
	}
	if (resumed)
		for (size_t i = 0; i < s->n_listeners; i++)
			(void) MHD_run(s->listeners[i].daemon);
}

RestServer *rest_server_free(RestServer *s)
{
	if (!s)
		return NULL;
	if (s->events)
		rest_events_shutdown(s->events);
	requests_shutdown(s);
	for (size_t i = 0; i < s->n_listeners; i++)
		listener_done(&s->listeners[i]);
	rest_connections_free(s->connections);
	rest_events_free(s->events);
	sd_event_source_disable_unref(s->wake);
	rest_cache_done(&s->listing);
	rest_metrics_done(&s->metrics);
	rest_tls_free(s->tls);
	free(s);
	return NULL;
}
