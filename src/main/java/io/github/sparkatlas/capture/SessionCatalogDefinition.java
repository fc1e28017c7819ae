package io.github.sparkatlas.capture;

import io.github.sparkatlas.lineage.CatalogChange;
import io.github.sparkatlas.lineage.DatabaseDefinition;
import io.github.sparkatlas.lineage.TableDataset;
import java.net.URI;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.NoSuchDatabaseException;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;
import org.apache.spark.sql.catalyst.catalog.CatalogDatabase;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalog;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableCatalog;
import scala.Option;

/**
 * A table's or database's current definition in the session catalog, read on the agent thread: the catalog's events
 * carry only names, and a DDL command holds at most what it changed. One metastore call per DDL statement (never
 * per write), made through the shared external catalog, whose lock Spark's threads take for their own calls: a
 * concurrent catalog call of the job may wait as long as one table lookup, as it would behind any other query's.
 */
final class SessionCatalogDefinition implements CatalogChange.Definition {
  /** Table reads here are not on Spark's listener thread: a generous budget for a very wide table. */
  private static final long READ_BUDGET_NANOS = 60_000_000_000L;

  private final Object session;
  private final String database;
  private final String table;

  /** @param table null for a database */
  SessionCatalogDefinition(Object session, String database, String table) {
    this.session = session;
    this.database = database;
    this.table = table;
  }

  /** The application's default session, read lock-free (a static reference); null when there is none. */
  static Object defaultSession() {
    try {
      return Reflect.option(SparkSession.getDefaultSession());
    } catch (Throwable t) {
      return null;
    }
  }

  private ExternalCatalog catalog() {
    Object catalog = Reflect.get(Reflect.get(session, "sharedState"), "externalCatalog");
    if (!(catalog instanceof ExternalCatalog)) {
      throw new IllegalStateException("no session catalog to read " + database + (table == null ? "" : "." + table));
    }
    return (ExternalCatalog) catalog;
  }

  @Override
  public TableDataset table() {
    if (table == null) {
      return null;
    }
    Object definition;
    try {
      definition = catalog().getTable(database, table);
    } catch (Exception e) {
      if (isAbsent(e)) {
        return null;
      }
      throw e;
    }
    CaptureContext context = new CaptureContext(SessionDefaults.NONE, System.nanoTime() + READ_BUDGET_NANOS);
    TableDataset read = TableReader.catalogTable(definition, context);
    Map<String, String> properties = Reflect.stringMap(Reflect.get(definition, "properties"));
    TableDataset.Builder builder = read.toBuilder(read.database(), read.table());
    Table own = read.columns().isEmpty() ? loadFromItsOwnCatalog() : null;
    if (own != null) {
      builder.columns(TableReader.columns(own.schema(), context));
      properties.putAll(own.properties());
    }
    return builder.properties(properties).build();
  }

  /**
   * A table whose metastore entry keeps no columns (Delta keeps its schema and properties in its log, and none in
   * the metastore), as the session catalog's own DSv2 implementation (Delta's catalog) loads it: for Delta one read
   * of its log, here on the agent thread. Null when that catalog is Spark's built-in one, which knows no more than
   * the metastore.
   */
  private Table loadFromItsOwnCatalog() {
    Object catalogManager = Reflect.get(Reflect.get(session, "sessionState"), "catalogManager");
    Object catalog;
    // The catalog manager picks the session catalog's implementation by the thread's active session's conf.
    Option<SparkSession> before = SparkSession.getActiveSession();
    SparkSession.setActiveSession((SparkSession) session);
    try {
      catalog = Reflect.get(catalogManager, "v2SessionCatalog");
    } finally {
      if (before.isDefined()) {
        SparkSession.setActiveSession(before.get());
      } else {
        SparkSession.clearActiveSession();
      }
    }
    if (!(catalog instanceof TableCatalog) || "V2SessionCatalog".equals(Reflect.simpleName(catalog))) {
      return null;
    }
    try {
      return ((TableCatalog) catalog).loadTable(Identifier.of(new String[] {database}, table));
    } catch (NoSuchTableException e) {
      return null;
    }
  }

  @Override
  public DatabaseDefinition database() {
    CatalogDatabase definition;
    try {
      definition = catalog().getDatabase(database);
    } catch (Exception e) {
      if (isAbsent(e)) {
        return null;
      }
      throw e;
    }
    URI location = definition.locationUri();
    Map<String, String> properties = Reflect.stringMap(definition.properties());
    return new DatabaseDefinition(definition.name(), definition.description(), location, properties);
  }

  /**
   * Whether the catalog said the table or database is gone (dropped since the change): asked for it directly, one
   * metastore call, instead of an existence check and a read.
   */
  private static boolean isAbsent(Exception e) {
    return e instanceof NoSuchTableException || e instanceof NoSuchDatabaseException;
  }
}
