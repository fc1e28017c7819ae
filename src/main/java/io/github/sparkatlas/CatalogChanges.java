package io.github.sparkatlas;

import io.github.sparkatlas.lineage.CatalogChange;
import io.github.sparkatlas.lineage.DatabaseDefinition;
import io.github.sparkatlas.lineage.TableDataset;
import io.github.sparkatlas.model.CatalogChangeNotifications;
import io.github.sparkatlas.model.HookNotification;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Applies catalog changes on the agent thread, in their order among the processes' records: the lineage the agent
 * holds follows them first (a dropped table leaves every process, a renamed one is held under its new name), then
 * their messages go to the sink, so that no process message sent after a drop names the dropped table.
 *
 * <p>A definition the capture could not read without a catalog call (the session catalog's events carry only names)
 * is read here, from the catalog, once per change: see {@link CatalogChange.Definition}.
 */
final class CatalogChanges {
  /** Tables this application defined by DDL, remembered for a later DROP DATABASE ... CASCADE. */
  static final int MAX_KNOWN_TABLES = 10_000;

  private final ProcessUpdates updates;
  private final CatalogChangeNotifications notifications;
  private final BiConsumer<CatalogChange, HookNotification> send;
  private final ErrorReporter errors;
  private final Map<String, TableDataset> known = new LinkedHashMap<String, TableDataset>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, TableDataset> eldest) {
      return size() > MAX_KNOWN_TABLES;
    }
  };

  /** @param send hands one notification of a change to the sink, in order */
  CatalogChanges(ProcessUpdates updates, CatalogChangeNotifications notifications,
      BiConsumer<CatalogChange, HookNotification> send, ErrorReporter errors) {
    this.updates = updates;
    this.notifications = notifications;
    this.send = send;
    this.errors = errors;
  }

  void apply(CatalogChange change) {
    switch (change.kind()) {
      case TABLE_DEFINED:
        defined(change);
        break;
      case TABLE_DROPPED:
        // The event names the table only: its definition, where held, tells whose entity it is (Hive hook's or ours).
        TableDataset dropped = definitionHeld(change.table());
        updates.forget(change.table().key());
        known.remove(change.table().key());
        sendAll(change, notifications.tablesDropped(change.user(), Collections.singletonList(dropped)));
        break;
      case TABLE_RENAMED:
        renamed(change);
        break;
      case DATABASE_DEFINED:
        DatabaseDefinition database = change.definition() == null
            ? new DatabaseDefinition(change.database(), null, null, Collections.<String, String>emptyMap())
            : readDatabase(change);
        if (database != null) {
          send.accept(change, notifications.databaseDefined(change.user(), database));
        }
        break;
      default:
        databaseDropped(change);
    }
  }

  private void defined(CatalogChange change) {
    TableDataset table = change.definition() == null ? change.table() : readTable(change);
    if (table == null) {
      // Gone by now: the drop or rename that followed is on its way, and says what happened.
      return;
    }
    known.put(table.key(), table);
    updates.replace(table.key(), table, false);
    HookNotification notification = notifications.tableDefined(change.user(), table);
    if (notification != null) {
      send.accept(change, notification);
    }
  }

  /** The table as the agent knows it (defined by DDL, or named by a process), else as the change names it. */
  private TableDataset definitionHeld(TableDataset named) {
    TableDataset known = this.known.get(named.key());
    if (known != null) {
      return known;
    }
    TableDataset held = updates.heldTable(named.key());
    return held != null ? held : named;
  }

  /**
   * The renamed table's definition, at its new name: read from the catalog where the change says how, else as the
   * change or the lineage held has it; the old name gets the same definition, so that each column is renamed.
   */
  private void renamed(CatalogChange change) {
    String oldKey = change.table().key();
    TableDataset target = change.definition() == null ? null : readTable(change);
    if (target == null) {
      TableDataset held = updates.heldTable(oldKey);
      TableDataset before = change.table().columns().isEmpty() && held != null ? held : change.table();
      target = before.renamed(change.renamedTo().database(), change.renamedTo().table());
    }
    TableDataset from = target.renamed(change.table().database(), change.table().table());
    known.remove(oldKey);
    known.put(target.key(), target);
    updates.replace(oldKey, target, true);
    sendAll(change, notifications.tableRenamed(change.user(), from, target));
  }

  /**
   * The tables the agent knows in the database (those its processes name and those defined by DDL in this
   * application) are deleted with it: the catalog's own list is gone by the time the drop is seen.
   */
  private void databaseDropped(CatalogChange change) {
    Map<String, TableDataset> tables = updates.tablesIn(change.database());
    for (TableDataset table : new ArrayList<>(known.values())) {
      if (table.database().equals(change.database())) {
        tables.putIfAbsent(table.key(), table);
      }
    }
    for (String key : tables.keySet()) {
      updates.forget(key);
      known.remove(key);
    }
    List<TableDataset> dropped = new ArrayList<>(tables.values());
    sendAll(change, notifications.databaseDropped(change.user(), change.database(), dropped));
  }

  private void sendAll(CatalogChange change, List<HookNotification> list) {
    for (HookNotification notification : list) {
      send.accept(change, notification);
    }
  }

  private TableDataset readTable(CatalogChange change) {
    try {
      return change.definition().table();
    } catch (Throwable t) {
      errors.warnOnce("catalog-read", "spark-atlas-agent could not read a table's definition from the catalog ("
          + t + "); its name is sent without it (reported once)");
      return change.kind() == CatalogChange.Kind.TABLE_RENAMED ? null : change.table();
    }
  }

  private DatabaseDefinition readDatabase(CatalogChange change) {
    try {
      return change.definition().database();
    } catch (Throwable t) {
      errors.warnOnce("catalog-read", "spark-atlas-agent could not read a database's definition from the catalog ("
          + t + "); its name is sent without it (reported once)");
      return new DatabaseDefinition(change.database(), null, null, Collections.<String, String>emptyMap());
    }
  }

  /** Tables remembered for a later DROP DATABASE ... CASCADE. */
  int knownTables() {
    return known.size();
  }
}
