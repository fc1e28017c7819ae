package io.github.sparkatlas.model;

import io.github.sparkatlas.lineage.Column;
import io.github.sparkatlas.lineage.DatabaseDefinition;
import io.github.sparkatlas.lineage.TableDataset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/**
 * The notifications of catalog changes, each about entities Atlas has (or is given) on their own, without a process:
 * a table or database defined (ENTITY_CREATE_V2, self-contained like every create), dropped (ENTITY_DELETE_V2 by
 * unique attributes) or a table renamed (ENTITY_PARTIAL_UPDATE_V2s that give the same entities their new names, so
 * they keep their guids, history and lineage). Names are those of {@link SparkEntityFactory}: one entity per table
 * whichever message speaks of it.
 */
public final class CatalogChangeNotifications {
  private final SparkEntityFactory entities;

  public CatalogChangeNotifications(SparkEntityFactory entities) {
    this.entities = entities;
  }

  /**
   * Whether a table's DDL is Atlas's Hive hook's to report ({@code atlas.spark.hive.table.type=hive_table} and a Hive
   * table): then the agent sends nothing for it, as it never creates what only the Hive hook should.
   */
  public boolean ownedByHiveHook(TableDataset table) {
    return Naming.HIVE_TABLE.equals(entities.tableTypeName(table));
  }

  /** A table or view created or altered: its whole current definition; null for a table of the Hive hook. */
  public HookNotification tableDefined(String user, TableDataset table) {
    return ownedByHiveHook(table) ? null : entities.tableNotification(user, table);
  }

  /** A database created or altered. */
  public HookNotification databaseDefined(String user, DatabaseDefinition database) {
    return entities.databaseNotification(user, database);
  }

  /**
   * Tables (or views) dropped, one message each: the table and its storage descriptor, which the spark model links to
   * the table by a plain association (not owned, so Atlas would keep it); its columns are owned and go with it. One
   * message per table because Atlas's hook consumer stops at the first entity of a delete it does not have (a
   * table never sent) and skips the rest of that message.
   */
  public List<HookNotification> tablesDropped(String user, Collection<TableDataset> tables) {
    List<HookNotification> notifications = new ArrayList<>();
    for (TableDataset table : tables) {
      if (ownedByHiveHook(table)) {
        continue;
      }
      DatasetNames.Table names = entities.tableNames(table);
      notifications.add(HookNotification.entityDelete(user, Arrays.asList(
          AtlasObjectId.byQualifiedName(entities.tableTypeName(table), names.qualifiedName),
          AtlasObjectId.byQualifiedName("spark_storagedesc", names.storageQualifiedName))));
    }
    return notifications;
  }

  /**
   * A database dropped with its tables. The spark model's database only aggregates its tables (Atlas would keep them
   * when the database goes), so each table is deleted first, then the database.
   */
  public List<HookNotification> databaseDropped(String user, String database, Collection<TableDataset> tables) {
    List<HookNotification> notifications = tablesDropped(user, tables);
    DatasetNames.Table names = entities.tableNames(TableDataset.builder(database, "_").build());
    notifications.add(HookNotification.entityDelete(user, Collections.singletonList(
        AtlasObjectId.byQualifiedName("spark_db", names.databaseQualifiedName))));
    return notifications;
  }

  /**
   * A table renamed, in the order Atlas's Hive hook renames a table: the table under its old name first (so that
   * it exists, whatever Atlas had), then each column, the storage descriptor and the table itself moved to their new
   * qualifiedNames by partial updates of the same entities, and last the table under its new name with its current
   * definition (which also links it to its new database, should the rename have moved it).
   *
   * @param from the table under its old name, with its current definition (columns as they are now)
   * @param to   the same table under its new name
   */
  public List<HookNotification> tableRenamed(String user, TableDataset from, TableDataset to) {
    List<HookNotification> notifications = new ArrayList<>();
    if (ownedByHiveHook(to)) {
      return notifications;
    }
    notifications.add(entities.tableNotification(user, from));
    DatasetNames names = entities.names();
    DatasetNames.Table oldNames = names.table(from);
    DatasetNames.Table newNames = names.table(to);
    List<Column> columns = from.columns();
    for (int i = 0; i < columns.size() && i < SparkEntityFactory.MAX_COLUMNS_PER_TABLE; i++) {
      Column column = columns.get(i);
      DatasetNames.Column oldColumn = names.column(oldNames, column.name());
      DatasetNames.Column newColumn = names.column(newNames, column.name());
      notifications.add(renamed(user, "spark_column", oldColumn.qualifiedName, AtlasEntity.builder("spark_column",
          "-1").attribute("qualifiedName", newColumn.qualifiedName).attribute("name", newColumn.name)
          .attribute("type", column.type())));
    }
    notifications.add(renamed(user, "spark_storagedesc", oldNames.storageQualifiedName,
        AtlasEntity.builder("spark_storagedesc", "-1").attribute("qualifiedName", newNames.storageQualifiedName)
            .attribute("compressed", false)));
    String tableType = entities.tableTypeName(to);
    notifications.add(renamed(user, tableType, oldNames.qualifiedName, AtlasEntity.builder(tableType, "-1")
        .attribute("qualifiedName", newNames.qualifiedName).attribute("name", newNames.table)));
    notifications.add(entities.tableNotification(user, to));
    return Collections.unmodifiableList(notifications);
  }

  private static HookNotification renamed(String user, String type, String oldQualifiedName,
      AtlasEntity.Builder newNames) {
    return HookNotification.entityPartialUpdate(user, AtlasObjectId.byQualifiedName(type, oldQualifiedName),
        newNames.build());
  }
}
