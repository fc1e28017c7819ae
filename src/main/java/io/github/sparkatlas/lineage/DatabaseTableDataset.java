package io.github.sparkatlas.lineage;

import java.util.Objects;

/**
 * A table of a database server reached over JDBC: the server, the database on it, the schema (null where the
 * database has none, or where only the connecting user would tell it) and the table. Built only from the parts of
 * a JDBC URL that name the server and database, never from its user, password or other properties.
 */
public final class DatabaseTableDataset extends Dataset {
  private final JdbcUrl server;
  private final String database;
  private final String schema;
  private final String table;

  private DatabaseTableDataset(JdbcUrl server, String database, String schema, String table) {
    this.server = server;
    this.database = database;
    this.schema = schema;
    this.table = table;
  }

  /**
   * @param server   the parsed URL (system, host, port; its database is the default)
   * @param database the database, when the table name gives one (SQL Server's three-part names); else null
   * @param schema   the schema as the name gives it; null for the system's default (which may be unknown)
   * @param table    the table, as the database itself would spell it (see {@link JdbcUrl#fold})
   */
  public static DatabaseTableDataset of(JdbcUrl server, String database, String schema, String table) {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(table, "table");
    String db = database != null ? database : server.database();
    String sch = schema != null ? schema : server.defaultSchema();
    return new DatabaseTableDataset(server, db, sch, table);
  }

  /** The database system, e.g. {@code postgresql}, {@code sqlserver}, {@code oracle}. */
  public String system() {
    return server.system();
  }

  /** Lower-cased host; empty for an embedded database that has none. */
  public String host() {
    return server.host();
  }

  /** The port, explicit or the system's default; -1 when neither. */
  public int port() {
    return server.port();
  }

  /** Null when neither the URL nor the table name says. */
  public String database() {
    return database;
  }

  /** Null when unknown (MySQL has none; Oracle's and DB2's default is the connecting user's, never read). */
  public String schema() {
    return schema;
  }

  public String table() {
    return table;
  }

  /** {@code host:port}, {@code host}, or empty. */
  public String serverAddress() {
    return server.address();
  }

  @Override
  public String key() {
    return "dbtable:" + system() + "://" + serverAddress() + "/" + (database == null ? "" : database) + "/"
        + (schema == null ? "" : schema + ".") + table;
  }
}
