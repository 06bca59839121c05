/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-dbus-error"

#include "config.h"

#include "haul-dbus-error.h"
#include "haul-error.h"

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

/**
 * haul_dbus_error_new_from_error:
 * @error: an error of Haul's own (HAUL_ERROR), or any other
 *
 * Returns: (transfer full): the same message under the D-Bus error a client expects:
 *   invalid arguments, URLs and schemes keep their names, anything else is Failed
 */
GError *
haul_dbus_error_new_from_error (const GError *error)
{
  HaulDBusError code = HAUL_DBUS_ERROR_FAILED;

  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain == HAUL_DBUS_ERROR)
    return g_error_copy (error);
  if (error->domain == HAUL_ERROR)
    {
      switch ((HaulError) error->code)
        {
        case HAUL_ERROR_INVALID_ARGUMENT:
          code = HAUL_DBUS_ERROR_INVALID_ARGUMENT;
          break;
        case HAUL_ERROR_INVALID_URI:
          code = HAUL_DBUS_ERROR_INVALID_URI;
          break;
        case HAUL_ERROR_UNSUPPORTED_SCHEME:
          code = HAUL_DBUS_ERROR_UNSUPPORTED_SCHEME;
          break;
        case HAUL_ERROR_NO_SUCH_TRANSFER:
          code = HAUL_DBUS_ERROR_NO_SUCH_TRANSFER;
          break;
        case HAUL_ERROR_INVALID_STATE:
          code = HAUL_DBUS_ERROR_INVALID_STATE;
          break;
        case HAUL_ERROR_FAILED:
        case HAUL_ERROR_HTTP:
        case HAUL_ERROR_TRANSIENT:
        case HAUL_ERROR_TOO_MANY_REDIRECTS:
        case HAUL_ERROR_CHECKSUM_MISMATCH:
        case HAUL_ERROR_EXISTS:
        case HAUL_ERROR_UNTRUSTED_PART:
        case HAUL_ERROR_NOT_REGULAR:
        default:
          code = HAUL_DBUS_ERROR_FAILED;
          break;
        }
    }
  return g_error_new_literal (HAUL_DBUS_ERROR, code, error->message);
}
