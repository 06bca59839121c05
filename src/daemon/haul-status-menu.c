/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haul-status-icon"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-canonical-generated.h"
#include "haul-format.h"
#include "haul-status-menu.h"

/* The status icon's menu, served as com.canonical.dbusmenu (version 3) from the interface
 * description generated from data/com.canonical.dbusmenu.xml: Show Haul, Pause All,
 * Resume All, up to five active transfers with their progress (activating one shows it
 * in the window), Quit. The menu is flat. When the transfers it lists change, the layout
 * gets a new revision (LayoutUpdated); when only a label or whether an item can be used
 * changes, ItemsPropertiesUpdated says which. The status icon decides when to look again
 * (haul_status_menu_update()), at most once a second. */

#define MAX_LISTED 5

enum
{
  ITEM_ROOT = 0,
  ITEM_SHOW,
  ITEM_SEPARATOR_1,
  ITEM_PAUSE_ALL,
  ITEM_RESUME_ALL,
  ITEM_SEPARATOR_2,
  ITEM_MORE,
  ITEM_SEPARATOR_3,
  ITEM_QUIT,
  ITEM_FIRST_TRANSFER = 1000,   /* + the transfer's ID */
};

typedef struct
{
  gint32    id;
  gboolean  separator;
  char     *label;
  gboolean  enabled;
  gboolean  visible;
} Item;

struct _HaulStatusMenu
{
  GObject          parent_instance;

  HaulManager     *manager;
  GDBusConnection *connection;
  guint            registration;
  char            *object_path;
  GPtrArray       *items;      /* of Item, the root's children in order */
  guint            revision;
};

G_DEFINE_FINAL_TYPE (HaulStatusMenu, haul_status_menu, G_TYPE_OBJECT)

enum {
  SHOW_WINDOW,
  SHOW_TRANSFER,
  QUIT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
item_free (gpointer data)
{
  Item *item = data;

  g_free (item->label);
  g_free (item);
}

static Item *
item_new (gint32      id,
          const char *label,
          gboolean    enabled,
          gboolean    visible)
{
  Item *item = g_new0 (Item, 1);

  item->id = id;
  item->separator = label == NULL;
  item->label = g_strdup (label);
  item->enabled = enabled;
  item->visible = visible;
  return item;
}

/* dbusmenu reads "_" as a mnemonic: a file's name keeps its own. */
static char *
escape_mnemonics (const char *text)
{
  GString *escaped = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '_')
        g_string_append_c (escaped, '_');
      g_string_append_c (escaped, *p);
    }
  return g_string_free (escaped, FALSE);
}

static char *
transfer_label (HaulTransfer *transfer)
{
  g_autofree char *name = haul_format_display_name (haul_transfer_get_file_name (transfer),
                                                    haul_transfer_get_uri (transfer));
  g_autofree char *escaped = escape_mnemonics (name);
  g_autofree char *how = NULL;
  guint64 total = haul_transfer_get_bytes_total (transfer);

  switch (haul_transfer_get_state (transfer))
    {
    case HAUL_TRANSFER_STATE_RUNNING:
      how = total > 0 ? haul_format_percent (haul_transfer_get_bytes_received (transfer), total)
                      : haul_format_size (haul_transfer_get_bytes_received (transfer));
      break;
    case HAUL_TRANSFER_STATE_QUEUED:
      how = g_strdup (_("Queued"));
      break;
    case HAUL_TRANSFER_STATE_WAITING:
    case HAUL_TRANSFER_STATE_PAUSED:
    case HAUL_TRANSFER_STATE_COMPLETED:
    case HAUL_TRANSFER_STATE_FAILED:
    case HAUL_TRANSFER_STATE_CANCELLED:
    default:
      how = g_strdup (_("Waiting"));
      break;
    }
  /* Translators: a download in the status icon's menu, "ubuntu.iso — 45%" */
  return g_strdup_printf (_("%s — %s"), escaped, how);
}

/* What the menu shows now. */
static GPtrArray *
build_items (HaulStatusMenu *self)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (item_free);
  GPtrArray *transfers = haul_manager_get_transfers (self->manager);
  g_autoptr(GPtrArray) listed = g_ptr_array_new ();
  guint active = 0;
  gboolean paused = FALSE;

  /* Those that run first, then those that wait their turn, in the service's order. */
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < transfers->len; i++)
      {
        HaulTransfer *transfer = g_ptr_array_index (transfers, i);
        gboolean running = haul_transfer_get_state (transfer) == HAUL_TRANSFER_STATE_RUNNING;

        if (pass == 0 && haul_transfer_get_state (transfer) == HAUL_TRANSFER_STATE_PAUSED &&
            !haul_transfer_is_removed (transfer))
          paused = TRUE;
        if (!haul_transfer_is_active (transfer) || running != (pass == 0))
          continue;
        active++;
        if (listed->len < MAX_LISTED && haul_transfer_get_id (transfer) <= G_MAXINT32 - ITEM_FIRST_TRANSFER)
          g_ptr_array_add (listed, transfer);
      }

  g_ptr_array_add (items, item_new (ITEM_SHOW, _("Show Haul"), TRUE, TRUE));
  g_ptr_array_add (items, item_new (ITEM_SEPARATOR_1, NULL, TRUE, TRUE));
  g_ptr_array_add (items, item_new (ITEM_PAUSE_ALL, _("Pause All"), active > 0, TRUE));
  g_ptr_array_add (items, item_new (ITEM_RESUME_ALL, _("Resume All"), paused, TRUE));
  g_ptr_array_add (items, item_new (ITEM_SEPARATOR_2, NULL, TRUE, listed->len > 0));
  for (guint i = 0; i < listed->len; i++)
    {
      HaulTransfer *transfer = g_ptr_array_index (listed, i);
      g_autofree char *label = transfer_label (transfer);

      g_ptr_array_add (items, item_new (ITEM_FIRST_TRANSFER + (gint32) haul_transfer_get_id (transfer),
                                        label, TRUE, TRUE));
    }
  {
    guint more = active - listed->len;
    g_autofree char *label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u more download",
                                                           "%u more downloads", more), more);

    g_ptr_array_add (items, item_new (ITEM_MORE, label, FALSE, more > 0));
  }
  g_ptr_array_add (items, item_new (ITEM_SEPARATOR_3, NULL, TRUE, TRUE));
  g_ptr_array_add (items, item_new (ITEM_QUIT, _("Quit"), TRUE, TRUE));
  return items;
}

static const Item *
find_item (HaulStatusMenu *self,
           gint32          id)
{
  for (guint i = 0; i < self->items->len; i++)
    {
      const Item *item = g_ptr_array_index (self->items, i);

      if (item->id == id)
        return item;
    }
  return NULL;
}

static gboolean
wanted (const char * const *names,
        const char         *name)
{
  return names == NULL || names[0] == NULL || g_strv_contains (names, name);
}

/* An item's properties, those asked for (all when @names is empty). */
static GVariant *
item_properties (const Item         *item,
                 const char * const *names)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

  if (item == NULL)
    {
      if (wanted (names, "children-display"))
        g_variant_builder_add (&builder, "{sv}", "children-display", g_variant_new_string ("submenu"));
      return g_variant_builder_end (&builder);
    }
  if (item->separator && wanted (names, "type"))
    g_variant_builder_add (&builder, "{sv}", "type", g_variant_new_string ("separator"));
  if (!item->separator && wanted (names, "label"))
    g_variant_builder_add (&builder, "{sv}", "label", g_variant_new_string (item->label));
  if (wanted (names, "enabled"))
    g_variant_builder_add (&builder, "{sv}", "enabled", g_variant_new_boolean (item->enabled));
  if (wanted (names, "visible"))
    g_variant_builder_add (&builder, "{sv}", "visible", g_variant_new_boolean (item->visible));
  return g_variant_builder_end (&builder);
}

static GVariant *
layout (HaulStatusMenu     *self,
        const Item         *item,
        gint32              depth,
        const char * const *names)
{
  g_auto(GVariantBuilder) children = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("av"));

  if (item == NULL && depth != 0)
    for (guint i = 0; i < self->items->len; i++)
      g_variant_builder_add (&children, "v", layout (self, g_ptr_array_index (self->items, i), 0, names));
  return g_variant_new ("(i@a{sv}av)", item != NULL ? item->id : ITEM_ROOT,
                        item_properties (item, names), &children);
}

static gboolean
lookup (HaulStatusMenu  *self,
        gint32           id,
        const Item     **item,
        GError         **error)
{
  *item = id == ITEM_ROOT ? NULL : find_item (self, id);
  if (id == ITEM_ROOT || *item != NULL)
    return TRUE;
  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "No menu item %d", id);
  return FALSE;
}

static gboolean
activate (HaulStatusMenu *self,
          gint32          id,
          const char     *event)
{
  const Item *item;

  if (!lookup (self, id, &item, NULL))
    return FALSE;
  if (!g_str_equal (event, "clicked") || item == NULL || !item->enabled)
    return TRUE;
  switch (id)
    {
    case ITEM_SHOW:
      g_signal_emit (self, signals[SHOW_WINDOW], 0);
      break;
    case ITEM_PAUSE_ALL:
      haul_manager_pause_all (self->manager);
      break;
    case ITEM_RESUME_ALL:
      haul_manager_resume_all (self->manager);
      break;
    case ITEM_QUIT:
      g_signal_emit (self, signals[QUIT], 0);
      break;
    default:
      if (id >= ITEM_FIRST_TRANSFER)
        g_signal_emit (self, signals[SHOW_TRANSFER], 0, (guint) (id - ITEM_FIRST_TRANSFER));
      break;
    }
  return TRUE;
}

static void
method_call (GDBusConnection       *connection,
             const char            *sender,
             const char            *object_path,
             const char            *interface_name,
             const char            *method_name,
             GVariant              *parameters,
             GDBusMethodInvocation *invocation,
             gpointer               user_data)
{
  HaulStatusMenu *self = user_data;
  GError *error = NULL;

  if (g_str_equal (method_name, "GetLayout"))
    {
      gint32 parent, depth;
      g_autofree const char **names = NULL;
      const Item *item;

      g_variant_get (parameters, "(ii^a&s)", &parent, &depth, &names);
      if (!lookup (self, parent, &item, &error))
        {
          g_dbus_method_invocation_take_error (invocation, error);
          return;
        }
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(u@(ia{sv}av))", self->revision,
                                                            layout (self, item, depth, names)));
    }
  else if (g_str_equal (method_name, "GetGroupProperties"))
    {
      g_autoptr(GVariantIter) ids = NULL;
      g_autofree const char **names = NULL;
      g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a(ia{sv})"));
      gint32 id;

      g_variant_get (parameters, "(ai^a&s)", &ids, &names);
      if (g_variant_iter_n_children (ids) == 0)
        for (guint i = 0; i < self->items->len; i++)
          {
            const Item *item = g_ptr_array_index (self->items, i);

            g_variant_builder_add (&builder, "(i@a{sv})", item->id, item_properties (item, names));
          }
      while (g_variant_iter_next (ids, "i", &id))
        {
          const Item *item;

          if (lookup (self, id, &item, NULL))
            g_variant_builder_add (&builder, "(i@a{sv})", id, item_properties (item, names));
        }
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(a(ia{sv}))", &builder));
    }
  else if (g_str_equal (method_name, "GetProperty"))
    {
      const char *names[2] = { NULL, NULL };
      g_autoptr(GVariant) properties = NULL;
      g_autoptr(GVariant) value = NULL;
      const Item *item;
      gint32 id;

      g_variant_get (parameters, "(i&s)", &id, &names[0]);
      if (!lookup (self, id, &item, &error))
        {
          g_dbus_method_invocation_take_error (invocation, error);
          return;
        }
      properties = g_variant_ref_sink (item_properties (item, names));
      value = g_variant_lookup_value (properties, names[0], NULL);
      if (value == NULL)
        g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                               "No property “%s” on menu item %d", names[0], id);
      else
        g_dbus_method_invocation_return_value (invocation, g_variant_new ("(v)", value));
    }
  else if (g_str_equal (method_name, "Event"))
    {
      const char *event;
      gint32 id;

      g_variant_get (parameters, "(i&svu)", &id, &event, NULL, NULL);
      if (!activate (self, id, event))
        g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                               "No menu item %d", id);
      else
        g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method_name, "EventGroup"))
    {
      g_autoptr(GVariantIter) events = NULL;
      g_auto(GVariantBuilder) errors = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("ai"));
      const char *event;
      gint32 id;

      g_variant_get (parameters, "(a(isvu))", &events);
      while (g_variant_iter_next (events, "(i&svu)", &id, &event, NULL, NULL))
        if (!activate (self, id, event))
          g_variant_builder_add (&errors, "i", id);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(ai)", &errors));
    }
  else if (g_str_equal (method_name, "AboutToShow"))
    {
      const Item *item;
      gint32 id;

      g_variant_get (parameters, "(i)", &id);
      if (!lookup (self, id, &item, &error))
        g_dbus_method_invocation_take_error (invocation, error);
      else
        g_dbus_method_invocation_return_value (invocation, g_variant_new ("(b)", FALSE));
    }
  else if (g_str_equal (method_name, "AboutToShowGroup"))
    {
      g_autoptr(GVariantIter) ids = NULL;
      g_auto(GVariantBuilder) errors = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("ai"));
      const Item *item;
      gint32 id;

      g_variant_get (parameters, "(ai)", &ids);
      while (g_variant_iter_next (ids, "i", &id))
        if (!lookup (self, id, &item, NULL))
          g_variant_builder_add (&errors, "i", id);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(@aiai)",
                                                                        g_variant_new_array (G_VARIANT_TYPE_INT32, NULL, 0),
                                                                        &errors));
    }
  else
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                           "No method %s", method_name);
}

static GVariant *
get_property (GDBusConnection  *connection,
              const char       *sender,
              const char       *object_path,
              const char       *interface_name,
              const char       *property_name,
              GError          **error,
              gpointer          user_data)
{
  if (g_str_equal (property_name, "Version"))
    return g_variant_new_uint32 (3);
  if (g_str_equal (property_name, "TextDirection"))
    /* Translators: "default:RTL" in a language written from right to left, else as it is */
    return g_variant_new_string (g_str_equal (_("default:LTR"), "default:RTL") ? "rtl" : "ltr");
  if (g_str_equal (property_name, "Status"))
    return g_variant_new_string ("normal");
  if (g_str_equal (property_name, "IconThemePath"))
    return g_variant_new_strv (NULL, 0);
  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY, "No property %s", property_name);
  return NULL;
}

static const GDBusInterfaceVTable vtable = { method_call, get_property, NULL, { 0 } };

static gboolean
same_ids (GPtrArray *a,
          GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    if (((Item *) g_ptr_array_index (a, i))->id != ((Item *) g_ptr_array_index (b, i))->id)
      return FALSE;
  return TRUE;
}

/**
 * haul_status_menu_update:
 * @self: the menu
 *
 * Looks at the transfers again, and tells the hosts what changed: a new layout when the
 * items are others, or the properties of those that changed.
 */
void
haul_status_menu_update (HaulStatusMenu *self)
{
  g_autoptr(GPtrArray) items = build_items (self);
  g_auto(GVariantBuilder) updated = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a(ia{sv})"));
  gboolean any = FALSE;

  g_return_if_fail (HAUL_IS_STATUS_MENU (self));

  if (!same_ids (items, self->items))
    {
      g_ptr_array_unref (self->items);
      self->items = g_steal_pointer (&items);
      self->revision++;
      if (self->registration != 0)
        g_dbus_connection_emit_signal (self->connection, NULL, self->object_path,
                                       haul_canonical_dbusmenu_interface_info ()->name, "LayoutUpdated",
                                       g_variant_new ("(ui)", self->revision, ITEM_ROOT), NULL);
      return;
    }

  for (guint i = 0; i < items->len; i++)
    {
      Item *now = g_ptr_array_index (items, i);
      Item *before = g_ptr_array_index (self->items, i);

      if (g_strcmp0 (now->label, before->label) == 0 && now->enabled == before->enabled &&
          now->visible == before->visible)
        continue;
      any = TRUE;
      g_variant_builder_add (&updated, "(i@a{sv})", now->id, item_properties (now, NULL));
    }
  g_ptr_array_unref (self->items);
  self->items = g_steal_pointer (&items);
  if (any && self->registration != 0)
    g_dbus_connection_emit_signal (self->connection, NULL, self->object_path,
                                   haul_canonical_dbusmenu_interface_info ()->name,
                                   "ItemsPropertiesUpdated",
                                   g_variant_new ("(a(ia{sv})@a(ias))", &updated,
                                                  g_variant_new_array (G_VARIANT_TYPE ("(ias)"), NULL, 0)),
                                   NULL);
  else
    g_variant_builder_clear (&updated);
}

/**
 * haul_status_menu_export:
 * @self: the menu
 * @connection: the status icon's connection
 * @object_path: where the menu is
 * @error: where to put an error
 */
gboolean
haul_status_menu_export (HaulStatusMenu   *self,
                         GDBusConnection  *connection,
                         const char       *object_path,
                         GError          **error)
{
  g_return_val_if_fail (HAUL_IS_STATUS_MENU (self), FALSE);
  g_return_val_if_fail (self->registration == 0, FALSE);

  self->registration = g_dbus_connection_register_object (connection, object_path,
                                                          haul_canonical_dbusmenu_interface_info (),
                                                          &vtable, self, NULL, error);
  if (self->registration == 0)
    return FALSE;
  g_set_object (&self->connection, connection);
  g_free (self->object_path);
  self->object_path = g_strdup (object_path);
  return TRUE;
}

void
haul_status_menu_unexport (HaulStatusMenu *self)
{
  g_return_if_fail (HAUL_IS_STATUS_MENU (self));

  if (self->registration != 0)
    g_dbus_connection_unregister_object (self->connection, self->registration);
  self->registration = 0;
  g_clear_object (&self->connection);
}

static void
haul_status_menu_dispose (GObject *object)
{
  HaulStatusMenu *self = HAUL_STATUS_MENU (object);

  haul_status_menu_unexport (self);
  g_clear_object (&self->manager);

  G_OBJECT_CLASS (haul_status_menu_parent_class)->dispose (object);
}

static void
haul_status_menu_finalize (GObject *object)
{
  HaulStatusMenu *self = HAUL_STATUS_MENU (object);

  g_ptr_array_unref (self->items);
  g_free (self->object_path);

  G_OBJECT_CLASS (haul_status_menu_parent_class)->finalize (object);
}

static void
haul_status_menu_class_init (HaulStatusMenuClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = haul_status_menu_dispose;
  object_class->finalize = haul_status_menu_finalize;

  /**
   * HaulStatusMenu::show-window:
   *
   * Show Haul was chosen.
   */
  signals[SHOW_WINDOW] = g_signal_new ("show-window", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * HaulStatusMenu::show-transfer:
   * @id: the transfer's ID
   *
   * A transfer was chosen: the window is to show it.
   */
  signals[SHOW_TRANSFER] = g_signal_new ("show-transfer", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  /**
   * HaulStatusMenu::quit:
   *
   * Quit was chosen: the service pauses every transfer, its resume data saved, and exits.
   */
  signals[QUIT] = g_signal_new ("quit", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
haul_status_menu_init (HaulStatusMenu *self)
{
  self->items = g_ptr_array_new_with_free_func (item_free);
  self->revision = 1;
}

HaulStatusMenu *
haul_status_menu_new (HaulManager *manager)
{
  HaulStatusMenu *self = g_object_new (HAUL_TYPE_STATUS_MENU, NULL);

  self->manager = g_object_ref (manager);
  g_ptr_array_unref (self->items);
  self->items = build_items (self);
  return self;
}
