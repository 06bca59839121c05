/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-dbus-error"

#include "config.h"

#include "haul-dbus-error.h"

static const GDBusErrorEntry entries[] = {
  { HAUL_DBUS_ERROR_INVALID_ARGUMENT, "io.github.haul.Error.InvalidArgument" },
  { HAUL_DBUS_ERROR_INVALID_URI, "io.github.haul.Error.InvalidUri" },
  { HAUL_DBUS_ERROR_UNSUPPORTED_SCHEME, "io.github.haul.Error.UnsupportedScheme" },
  { HAUL_DBUS_ERROR_NO_SUCH_TRANSFER, "io.github.haul.Error.NoSuchTransfer" },
  { HAUL_DBUS_ERROR_INVALID_STATE, "io.github.haul.Error.InvalidState" },
  { HAUL_DBUS_ERROR_FAILED, "io.github.haul.Error.Failed" },
};

GQuark
haul_dbus_error_quark (void)
{
  static gsize quark;

  g_dbus_error_register_error_domain ("haul-dbus-error-quark", &quark,
                                      entries, G_N_ELEMENTS (entries));
  return (GQuark) quark;
}
