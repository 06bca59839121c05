/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-missing"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "haul-check.h"
#include "haul-dbus-error.h"
#include "haul-dbus-generated.h"
#include "haul-missing.h"

/* Calls on a transfer that is not there (removed, or never added) get the interface's own
 * answer, io.github.haul.Error.NoSuchTransfer, rather than GDBus's UnknownObject: a
 * subtree under the transfers' path catches what no exported object takes. It lists no
 * nodes of its own, so introspection and the object manager show only real transfers. */

/* The last element of @object_path: the ID the caller asked for. */
static const char *
transfer_id (const char *object_path)
{
  const char *slash = strrchr (object_path, '/');

  return slash != NULL ? slash + 1 : object_path;
}

static void
missing_method_call (GDBusConnection       *connection,
                     const char            *sender,
                     const char            *object_path,
                     const char            *interface_name,
                     const char            *method_name,
                     GVariant              *parameters,
                     GDBusMethodInvocation *invocation,
                     gpointer               user_data)
{
  g_dbus_method_invocation_return_error (invocation, HAUL_DBUS_ERROR,
                                         HAUL_DBUS_ERROR_NO_SUCH_TRANSFER,
                                         _("There is no transfer %s"), transfer_id (object_path));
}

static GVariant *
missing_get_property (GDBusConnection  *connection,
                      const char       *sender,
                      const char       *object_path,
                      const char       *interface_name,
                      const char       *property_name,
                      GError          **error,
                      gpointer          user_data)
{
  g_set_error (error, HAUL_DBUS_ERROR, HAUL_DBUS_ERROR_NO_SUCH_TRANSFER,
               _("There is no transfer %s"), transfer_id (object_path));
  return NULL;
}

static gboolean
missing_set_property (GDBusConnection  *connection,
                      const char       *sender,
                      const char       *object_path,
                      const char       *interface_name,
                      const char       *property_name,
                      GVariant         *value,
                      GError          **error,
                      gpointer          user_data)
{
  missing_get_property (connection, sender, object_path, interface_name, property_name,
                        error, user_data);
  return FALSE;
}

static const GDBusInterfaceVTable missing_vtable = {
  missing_method_call,
  missing_get_property,
  missing_set_property,
  { NULL },
};

static char **
missing_enumerate (GDBusConnection *connection,
                   const char      *sender,
                   const char      *object_path,
                   gpointer         user_data)
{
  return g_new0 (char *, 1);
}

static GDBusInterfaceInfo **
missing_introspect (GDBusConnection *connection,
                    const char      *sender,
                    const char      *object_path,
                    const char      *node,
                    gpointer         user_data)
{
  GDBusInterfaceInfo **infos;

  if (node == NULL)
    return NULL;
  infos = g_new0 (GDBusInterfaceInfo *, 2);
  infos[0] = g_dbus_interface_info_ref (haul_transfer1_interface_info ());
  return infos;
}

static const GDBusInterfaceVTable *
missing_dispatch (GDBusConnection *connection,
                  const char      *sender,
                  const char      *object_path,
                  const char      *interface_name,
                  const char      *node,
                  gpointer        *out_user_data,
                  gpointer         user_data)
{
  *out_user_data = NULL;
  return &missing_vtable;
}

static const GDBusSubtreeVTable subtree_vtable = {
  missing_enumerate,
  missing_introspect,
  missing_dispatch,
  { NULL },
};

/**
 * haul_missing_register:
 * @connection: the bus
 * @error: return location for a #GError
 *
 * Returns: the registration ID, for g_dbus_connection_unregister_subtree(), or 0
 */
guint
haul_missing_register (GDBusConnection  *connection,
                       GError          **error)
{
  return g_dbus_connection_register_subtree (connection, HAUL_DAEMON_TRANSFER_PATH,
                                             &subtree_vtable,
                                             G_DBUS_SUBTREE_FLAGS_DISPATCH_TO_UNENUMERATED_NODES,
                                             NULL, NULL, error);
}
