package io.github.sparkatlas.capture;

import io.github.sparkatlas.lineage.CatalogChange;
import io.github.sparkatlas.lineage.TableDataset;
import org.apache.spark.SparkContext;

/**
 * The session catalog's events (Hive or in-memory: Spark wraps either in a catalog that posts them): what was
 * created, altered, renamed or dropped, by the names in the event's own fields, since by the time an event is seen
 * the catalog may have changed again. Posted only when the change happened: no event for an IF NOT EXISTS that
 * found the table, nor for an IF EXISTS that did not. Pre-events, statistics updates and functions change nothing
 * Atlas shows.
 */
public final class CatalogEvents {
  private static final String PACKAGE = "org.apache.spark.sql.catalyst.catalog.";

  private CatalogEvents() {
  }

  /** @return the change the event reports, or null when it reports none Atlas shows */
  public static CatalogChange read(Object event) {
    String type = event.getClass().getName();
    if (!type.startsWith(PACKAGE)) {
      return null;
    }
    String kind = type.substring(PACKAGE.length());
    String database = Reflect.string(Reflect.get(event, "database"));
    String name = Reflect.string(Reflect.get(event, "name"));
    Object session = SessionCatalogDefinition.defaultSession();
    SparkContext spark = session == null ? null : (SparkContext) Reflect.get(session, "sparkContext");
    String applicationId = spark == null ? null : spark.applicationId();
    String user = spark == null ? null : spark.sparkUser();
    long now = System.currentTimeMillis();
    switch (kind) {
      case "CreateTableEvent":
      case "AlterTableEvent":
        if ("stats".equals(Reflect.string(Reflect.get(event, "kind")))) {
          return null;
        }
        return CatalogChange.tableDefined(applicationId, user, now, TableDataset.builder(database, name).build(),
            new SessionCatalogDefinition(session, database, name));
      case "DropTableEvent":
        return CatalogChange.tableDropped(applicationId, user, now, TableDataset.builder(database, name).build());
      case "RenameTableEvent":
        String newName = Reflect.string(Reflect.get(event, "newName"));
        return CatalogChange.tableRenamed(applicationId, user, now, TableDataset.builder(database, name).build(),
            TableDataset.builder(database, newName).build(), new SessionCatalogDefinition(session, database, newName));
      case "CreateDatabaseEvent":
      case "AlterDatabaseEvent":
        return CatalogChange.databaseDefined(applicationId, user, now, database,
            new SessionCatalogDefinition(session, database, null));
      case "DropDatabaseEvent":
        return CatalogChange.databaseDropped(applicationId, user, now, database);
      default:
        return null;
    }
  }
}
