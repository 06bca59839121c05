/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HAUL_DBUS_ERROR (haul_dbus_error_quark ())

/**
 * HaulDBusError:
 *
 * The errors of the daemon's D-Bus API. The quark is registered with GDBus, so a client
 * receives them as io.github.haul.Error.InvalidArgument and so on, and gets them back in
 * this domain.
 */
typedef enum
{
  HAUL_DBUS_ERROR_INVALID_ARGUMENT,
  HAUL_DBUS_ERROR_INVALID_URI,
  HAUL_DBUS_ERROR_UNSUPPORTED_SCHEME,
  HAUL_DBUS_ERROR_NO_SUCH_TRANSFER,
  HAUL_DBUS_ERROR_INVALID_STATE,
  HAUL_DBUS_ERROR_FAILED,
} HaulDBusError;

GQuark  haul_dbus_error_quark          (void);
GError *haul_dbus_error_new_from_error (const GError *error);

G_END_DECLS
