/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HAUL_ERROR (haul_error_quark ())

/**
 * HaulError:
 * @HAUL_ERROR_FAILED: a generic failure
 * @HAUL_ERROR_INVALID_ARGUMENT: an option or argument has a bad value
 * @HAUL_ERROR_INVALID_URI: the URL cannot be parsed
 * @HAUL_ERROR_UNSUPPORTED_SCHEME: the URL is not http or https
 * @HAUL_ERROR_NO_SUCH_TRANSFER: no transfer has that id
 * @HAUL_ERROR_INVALID_STATE: the operation does not apply in the current state
 * @HAUL_ERROR_HTTP: the server answered with a status that will not change on retry
 * @HAUL_ERROR_TRANSIENT: a failure worth retrying (connection, stall, 5xx, truncation)
 * @HAUL_ERROR_TOO_MANY_REDIRECTS: more than 20 redirects, or a redirect loop
 * @HAUL_ERROR_CHECKSUM_MISMATCH: the SHA-256 of the data does not match
 * @HAUL_ERROR_EXISTS: the destination file exists and may not be overwritten
 * @HAUL_ERROR_UNTRUSTED_PART: a `.part` or its resume data exists, and Haul cannot tell it
 *   made them
 * @HAUL_ERROR_NOT_REGULAR: a file of the name exists and is not a regular file (a device,
 *   a pipe, a directory, a symlink), so it is never replaced
 *
 * The first six values match the D-Bus error names of the daemon.
 */
typedef enum
{
  HAUL_ERROR_FAILED,
  HAUL_ERROR_INVALID_ARGUMENT,
  HAUL_ERROR_INVALID_URI,
  HAUL_ERROR_UNSUPPORTED_SCHEME,
  HAUL_ERROR_NO_SUCH_TRANSFER,
  HAUL_ERROR_INVALID_STATE,
  HAUL_ERROR_HTTP,
  HAUL_ERROR_TRANSIENT,
  HAUL_ERROR_TOO_MANY_REDIRECTS,
  HAUL_ERROR_CHECKSUM_MISMATCH,
  HAUL_ERROR_EXISTS,
  HAUL_ERROR_UNTRUSTED_PART,
  HAUL_ERROR_NOT_REGULAR,
} HaulError;

GQuark haul_error_quark (void);

G_END_DECLS
