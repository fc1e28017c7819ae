package io.github.sparkatlas.lineage;

import java.util.Objects;

/**
 * A change to a catalog that Atlas must hear of on its own, without a process: a table or database defined (created
 * or altered), dropped or renamed. Spark-free like every record; where the capture could not read the definition
 * without a catalog call (the session catalog's events carry only names), it hands over a {@link Definition} that
 * the agent thread reads.
 */
public final class CatalogChange {
  /** What happened. */
  public enum Kind {
    /** A table or view was created or altered: its current definition is sent. */
    TABLE_DEFINED,
    /** A table or view was dropped. */
    TABLE_DROPPED,
    /** A table or view was renamed (to {@link #renamedTo()}). */
    TABLE_RENAMED,
    /** A database (namespace) was created or altered. */
    DATABASE_DEFINED,
    /** A database (namespace) was dropped, with its tables. */
    DATABASE_DROPPED
  }

  /** Reads a definition on the agent thread: the only part of a change that may call a catalog. */
  public interface Definition {
    /** The table's current definition, or null when it is gone (a later change says what happened to it). */
    TableDataset table();

    /** The database's current definition, or null when it is gone. */
    DatabaseDefinition database();
  }

  private final Kind kind;
  private final String applicationId;
  private final String user;
  private final long timeMillis;
  private final TableDataset table;
  private final TableDataset renamedTo;
  private final String database;
  private final Definition definition;

  private CatalogChange(Kind kind, String applicationId, String user, long timeMillis, TableDataset table,
      TableDataset renamedTo, String database, Definition definition) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.applicationId = applicationId;
    this.user = user;
    this.timeMillis = timeMillis;
    this.table = table;
    this.renamedTo = renamedTo;
    this.database = database != null ? database : table.database();
    this.definition = definition;
  }

  /**
   * @param table      the table's name and, when the capture knows it, its definition
   * @param definition reads the current definition on the agent thread; null when {@code table} holds it
   */
  public static CatalogChange tableDefined(String applicationId, String user, long timeMillis, TableDataset table,
      Definition definition) {
    return new CatalogChange(Kind.TABLE_DEFINED, applicationId, user, timeMillis, table, null, null, definition);
  }

  public static CatalogChange tableDropped(String applicationId, String user, long timeMillis, TableDataset table) {
    return new CatalogChange(Kind.TABLE_DROPPED, applicationId, user, timeMillis, table, null, null, null);
  }

  /**
   * @param from       the old name (and the definition, when the capture knows it)
   * @param to         the new name
   * @param definition reads the renamed table's current definition on the agent thread; may be null
   */
  public static CatalogChange tableRenamed(String applicationId, String user, long timeMillis, TableDataset from,
      TableDataset to, Definition definition) {
    return new CatalogChange(Kind.TABLE_RENAMED, applicationId, user, timeMillis, from,
        Objects.requireNonNull(to, "to"), null, definition);
  }

  /** @param definition reads the database on the agent thread; null sends its name only */
  public static CatalogChange databaseDefined(String applicationId, String user, long timeMillis, String database,
      Definition definition) {
    return new CatalogChange(Kind.DATABASE_DEFINED, applicationId, user, timeMillis, null, null,
        Objects.requireNonNull(database, "database"), definition);
  }

  public static CatalogChange databaseDropped(String applicationId, String user, long timeMillis,
      String database) {
    return new CatalogChange(Kind.DATABASE_DROPPED, applicationId, user, timeMillis, null, null,
        Objects.requireNonNull(database, "database"), null);
  }

  public Kind kind() {
    return kind;
  }

  public String applicationId() {
    return applicationId;
  }

  public String user() {
    return user;
  }

  public long timeMillis() {
    return timeMillis;
  }

  /** The table changed (for a rename: its old name); null for a database change. */
  public TableDataset table() {
    return table;
  }

  /** The new name of a renamed table; else null. */
  public TableDataset renamedTo() {
    return renamedTo;
  }

  /** The database changed, or the table's database. */
  public String database() {
    return database;
  }

  /** Reads the current definition on the agent thread; null when the change holds all there is to send. */
  public Definition definition() {
    return definition;
  }

  @Override
  public String toString() {
    return kind + " " + (table != null ? table.key() : "database:" + database)
        + (renamedTo != null ? " -> " + renamedTo.key() : "");
  }
}
