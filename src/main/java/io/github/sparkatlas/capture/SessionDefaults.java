package io.github.sparkatlas.capture;

import org.apache.spark.SparkContext;

/**
 * What completes a name the plan leaves incomplete: the session's current database (an unqualified table) and the
 * default file system (a scheme-less path). Read from Spark's listener thread, so never through a lock Spark's own
 * threads may hold.
 */
interface SessionDefaults {
  /** The current database, or null when it cannot be read without waiting. */
  String currentDatabase();

  /** {@code fs.defaultFS}, or null. */
  String defaultFileSystem();

  /** No session: the current database and the default file system are unknown. */
  SessionDefaults NONE = new SessionDefaults() {
    @Override
    public String currentDatabase() {
      return null;
    }

    @Override
    public String defaultFileSystem() {
      return null;
    }
  };

  /** The defaults of the session that ran a query. */
  static SessionDefaults of(Object sparkSession, SparkContext context) {
    return new SessionDefaults() {
      @Override
      public String currentDatabase() {
        return SessionDefaults.currentDatabase(sparkSession);
      }

      @Override
      public String defaultFileSystem() {
        // Configuration.get takes the Configuration's monitor; it is read only for a scheme-less path, which
        // Spark's own plans rarely hold (it qualifies the paths it writes and lists).
        return context.hadoopConfiguration().get("fs.defaultFS");
      }
    };
  }

  /**
   * The session catalog's current database, through its unsynchronized accessor {@code currentDb} (a public
   * method in Spark 3.3, 3.4, 3.5 and 4.0) rather than {@code getCurrentDatabase}, which is {@code synchronized}
   * on the catalog: the same monitor that {@code lookupRelation}, {@code dropTable} and {@code renameTable} hold
   * while they wait for the metastore. The field is a plain String reference; a read racing a {@code USE} sees the
   * old or the new name, as a query running next to it would. Where the accessor is missing, null: never the
   * locking call.
   */
  static String currentDatabase(Object sparkSession) {
    Object catalog = Reflect.get(Reflect.get(sparkSession, "sessionState"), "catalog");
    Object database = Reflect.get(catalog, "currentDb");
    return database instanceof String ? (String) database : null;
  }
}
