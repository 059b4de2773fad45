/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The core's events in the journal, one message each with a MESSAGE_ID
 * (systemd/gvtd.catalog explains each) and the fields GVT_VGPU=, GVT_PARENT=,
 * GVT_TYPE=, GVT_OWNER=: `journalctl -u gvtd GVT_VGPU=UUID` is one vGPU's history.
 */
#pragma once

#include "manager.h"

int journal_events_init(Manager *m);
