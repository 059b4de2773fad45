/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The core's PolkitBackend (polkit.h) over D-Bus: org.freedesktop.PolicyKit1.Authority.CheckAuthorization
 * over its own sd-bus connection to the system bus (no libpolkit), answered
 * asynchronously on gvtd's loop so a caller waiting for an authentication
 * agent never blocks anyone else.
 */
#pragma once

#include <systemd/sd-event.h>

#include "polkit.h"

/* bus_address NULL: the system bus. Connects on first use. */
int bus_polkit_new(sd_event *event, const char *bus_address, PolkitBackend **ret);
