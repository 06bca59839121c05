/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

guint haul_missing_register (GDBusConnection  *connection,
                             GError          **error);

G_END_DECLS
