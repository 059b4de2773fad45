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

/*
 * What a CheckAuthorization error means for the core: -EHOSTUNREACH when
 * polkit is absent (not running, not activatable) or does not know gvtd's
 * actions (policy not installed), the only case the AdminGroup rule may
 * decide in; -ETIMEDOUT for no reply; -EIO for any other error.
 */
int bus_polkit_error_to_errno(const char *name, const char *message);

/* bus_address NULL: the system bus. Connects on first use. */
int bus_polkit_new(sd_event *event, const char *bus_address, PolkitBackend **ret);
