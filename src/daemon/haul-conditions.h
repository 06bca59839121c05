/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HAUL_TYPE_CONDITIONS (haul_conditions_get_type ())

G_DECLARE_FINAL_TYPE (HaulConditions, haul_conditions, HAUL, CONDITIONS, GObject)

typedef enum
{
  HAUL_REACHABILITY_UNKNOWN,
  HAUL_REACHABILITY_YES,
  HAUL_REACHABILITY_NO,
} HaulReachability;

HaulConditions  *haul_conditions_new             (void);
HaulReachability haul_conditions_can_reach       (HaulConditions *self,
                                                  const char     *uri);
gboolean        haul_conditions_get_metered     (HaulConditions *self);
gboolean        haul_conditions_get_power_saver (HaulConditions *self);

G_END_DECLS
