// SPDX-License-Identifier: GPL-2.0-only
/*
 * The private socket: root's clients (gvtctl) talk to gvtd over a direct
 * D-Bus connection, as systemctl does on /run/systemd/private, skipping the
 * broker (its SASL round trips, Hello, AddMatch and the extra hop of every
 * message). The objects are the bus's, exported again on each connection;
 * signals go to those that called Manager.Subscribe() (systemd's rule for
 * its private bus: a direct connection has no match rules, and a command
 * that only calls one method should not be sent every change). Only uid 0 is served: the socket is 0600 and the
 * peer's SO_PEERCRED is checked too, so a socket made wider by hand still
 * serves nobody else. Everyone else uses the bus.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <systemd/sd-id128.h>

#include "dbus.h"
#include "log.h"
#include "manager.h"
#include "unix-socket.h"

/* Root's tools connect for one command each; this bounds what a stuck script can hold. */
#define PEERS_MAX 64

static void peer_free(BusPeer *p)
{
	BusAdapter *b = p->adapter;

	for (BusPeer **q = &b->peers; *q; q = &(*q)->next)
		if (*q == p) {
			*q = p->next;
			b->n_peers--;
			break;
		}
	sd_bus_flush_close_unref(p->bus);
	free(p);
}

static BusPeer *peer_of(BusAdapter *b, sd_bus_message *message)
{
	sd_bus *bus = sd_bus_message_get_bus(message);

	for (BusPeer *p = b->peers; p; p = p->next)
		if (p->bus == bus)
			return p;
	return NULL;
}

static int set_subscribed(sd_bus_message *message, BusAdapter *b, bool on)
{
	BusPeer *p = peer_of(b, message);

	/* On the bus, signals go to whoever added a match: nothing to do. */
	if (p)
		p->subscribed = on;
	return sd_bus_reply_method_return(message, NULL);
}

int bus_method_subscribe(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
	return set_subscribed(message, userdata, true);
}

int bus_method_unsubscribe(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
	return set_subscribed(message, userdata, false);
}

static int on_peer_disconnected(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
	peer_free(userdata);
	return 0;
}

static int peer_start(BusAdapter *b, int fd)
{
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *new_bus = NULL;
	sd_bus *bus;
	BusPeer *p;
	sd_id128_t id;
	int r;

	r = sd_bus_new(&new_bus);
	if (r < 0) {
		close(fd);
		return r;
	}
	bus = new_bus;
	r = sd_bus_set_fd(bus, fd, fd); /* the connection's from here on, closed with it */
	if (r < 0) {
		close(fd);
		return r;
	}
	r = sd_id128_randomize(&id);
	if (r < 0)
		return r;
	r = sd_bus_set_server(bus, true, id);
	if (r < 0)
		return r;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	*p = (BusPeer) { .adapter = b, .bus = TAKE_PTR(new_bus), .next = b->peers };
	b->peers = p;
	b->n_peers++;
	bus = p->bus; /* the peer's now, freed with it */
	r = sd_bus_match_signal(bus, NULL, NULL, "/org/freedesktop/DBus/Local", "org.freedesktop.DBus.Local",
				"Disconnected", on_peer_disconnected, p);
	if (r >= 0)
		r = bus_export(b, bus);
	if (r >= 0)
		r = sd_bus_attach_event(bus, b->calls.manager->event, SD_EVENT_PRIORITY_NORMAL);
	if (r >= 0)
		r = sd_bus_start(bus);
	if (r < 0)
		peer_free(p);
	return r;
}

static int on_accept(sd_event_source *s, int listen_fd, uint32_t revents, void *userdata)
{
	BusAdapter *b = userdata;
	struct ucred ucred;
	socklen_t len = sizeof(ucred);
	int fd, r;

	fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			log_warning_errno(errno, "Failed to accept on %s, ignoring: %m", b->private_path);
		return 0;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &ucred, &len) < 0 || ucred.uid != 0) {
		log_warning("Refused a connection on %s from uid %d: the private socket is for root; others use "
			    "the bus.", b->private_path, len == sizeof(ucred) ? (int) ucred.uid : -1);
		close(fd);
		return 0;
	}
	if (b->n_peers >= PEERS_MAX) {
		log_warning("Refused a connection on %s: %d direct connections are open already.", b->private_path,
			    PEERS_MAX);
		close(fd);
		return 0;
	}
	r = peer_start(b, fd); /* takes fd */
	if (r < 0)
		log_warning_errno(r, "Failed to serve a connection on %s, ignoring: %m", b->private_path);
	return 0;
}

int bus_private_listen(BusAdapter *b, const char *path)
{
	_cleanup_close_ int fd = -1;
	int r;

	b->private_path = strdup(path);
	if (!b->private_path)
		return log_oom();
	/* 0600 from the start: no moment in which others may connect. */
	r = unix_socket_listen(path, 0177, "the private D-Bus socket", &fd);
	if (r < 0)
		return r;
	r = sd_event_add_io(b->calls.manager->event, &b->private_listener, fd, EPOLLIN, on_accept, b);
	if (r < 0)
		return log_error_errno(r, "Failed to watch %s: %m", path);
	(void) sd_event_source_set_io_fd_own(b->private_listener, true);
	TAKE_FD(fd);
	log_debug("Root's direct D-Bus connections on %s.", path);
	return 0;
}

void bus_private_close(BusAdapter *b)
{
	while (b->peers)
		peer_free(b->peers);
	if (b->private_listener) {
		b->private_listener = sd_event_source_disable_unref(b->private_listener);
		(void) unlink(b->private_path);
	}
	free(b->private_path);
	b->private_path = NULL;
}
