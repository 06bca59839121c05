/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HAUL_TYPE_SERVICE (haul_service_get_type ())

G_DECLARE_FINAL_TYPE (HaulService, haul_service, HAUL, SERVICE, GApplication)

HaulService *haul_service_new    (void);

G_END_DECLS
