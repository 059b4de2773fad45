/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz-golden: see kshim.h. */
#pragma once
#include "../kshim.h"
