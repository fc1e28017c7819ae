package io.github.sparkatlas.capture;

import io.github.sparkatlas.lineage.DatabaseTableDataset;
import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.JdbcUrl;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Spark's JDBC source and sink, wherever a plan holds them: a {@code JDBCRelation} (in a {@code LogicalRelation},
 * the relation of a {@code USING jdbc} table, or a cached read's {@code RowDataSourceScanExec}), the options of a
 * {@code SaveIntoDataSourceCommand} over {@code JdbcRelationProvider}, and a {@code JDBCTableCatalog}'s
 * {@code JDBCTable}. Only three options are read, {@code url}, {@code dbtable} and {@code query}; the others
 * (user, password, driver properties) are never looked at.
 */
final class JdbcRelations {
  private JdbcRelations() {
  }

  static boolean isRelation(Object relation) {
    return "JDBCRelation".equals(Reflect.simpleName(relation));
  }

  static boolean isProvider(Object dataSource) {
    return "JdbcRelationProvider".equals(Reflect.simpleName(dataSource));
  }

  static boolean isTable(Object table) {
    return "JDBCTable".equals(Reflect.simpleName(table));
  }

  /** What a {@code JDBCRelation} or {@code JDBCTable} reads, from its {@code jdbcOptions}. */
  static List<Dataset> read(Object relationOrTable, CaptureContext context) {
    Object options = Reflect.get(relationOrTable, "jdbcOptions");
    return readOptions(Reflect.get(options, "parameters"), context);
  }

  /** Adds what a {@code JDBCRelation} or {@code JDBCTable} reads to the inputs. */
  static void addReads(Object relationOrTable, InputCollector inputs) {
    for (Dataset read : read(relationOrTable, inputs.context())) {
      inputs.add(read);
    }
  }

  /** @param parameters a JDBC source's options (a Scala or Java map, any key case) */
  static List<Dataset> readOptions(Object parameters, CaptureContext context) {
    Options options = Options.of(parameters);
    JdbcUrl url = options.url(context);
    if (url == null) {
      return Collections.emptyList();
    }
    if (options.query != null) {
      return JdbcTableNames.ofQuery(url, options.query, context::gap);
    }
    if (options.dbtable != null) {
      return JdbcTableNames.ofDbtable(url, options.dbtable, context::gap);
    }
    return Collections.emptyList();
  }

  /** The table a JDBC write writes: its {@code dbtable}, which Spark requires to be a table name. */
  static DatabaseTableDataset written(Object parameters, CaptureContext context) {
    Options options = Options.of(parameters);
    JdbcUrl url = options.url(context);
    if (url == null || options.dbtable == null) {
      return null;
    }
    DatabaseTableDataset table = JdbcTableNames.tableName(url, options.dbtable);
    if (table == null) {
      context.gap("jdbc-dbtable", "spark-atlas-agent: a JDBC dbtable option is not a table name; its table is "
          + "missing from the lineage, never guessed (reported once)");
    }
    return table;
  }

  /** The table a {@code JDBCRelation} or {@code JDBCTable} is written into. */
  static DatabaseTableDataset writtenInto(Object relationOrTable, CaptureContext context) {
    Object options = Reflect.get(relationOrTable, "jdbcOptions");
    return written(Reflect.get(options, "parameters"), context);
  }

  static boolean isCatalog(Object catalog) {
    return "JDBCTableCatalog".equals(Reflect.simpleName(catalog));
  }

  /**
   * A table a {@code JDBCTableCatalog} creates ({@code CREATE TABLE pg.schema.t AS SELECT}): the catalog's URL, the
   * identifier's namespace as the schema. The catalog quotes every part, so the names are exact.
   */
  static DatabaseTableDataset catalogTable(Object catalog, Object identifier, CaptureContext context) {
    Object options = Reflect.field(catalog, "options");
    JdbcUrl url = Options.of(Reflect.get(options, "parameters")).url(context);
    Object name = Reflect.get(identifier, "name");
    Object namespace = Reflect.get(identifier, "namespace");
    String[] parts = namespace instanceof String[] ? (String[]) namespace : new String[0];
    if (url == null || !(name instanceof String) || parts.length > 1) {
      return null;
    }
    return DatabaseTableDataset.of(url, null, parts.length == 1 ? parts[0] : null, (String) name);
  }

  /** The three options read; nothing else of the map is kept. */
  private static final class Options {
    private String url;
    private String dbtable;
    private String query;

    static Options of(Object parameters) {
      Options options = new Options();
      if (parameters instanceof java.util.Map) {
        for (java.util.Map.Entry<?, ?> entry : ((java.util.Map<?, ?>) parameters).entrySet()) {
          options.offer(entry.getKey(), entry.getValue());
        }
      } else {
        for (Object entry : Reflect.elements(parameters)) {
          options.offer(Reflect.get(entry, "_1"), Reflect.get(entry, "_2"));
        }
      }
      return options;
    }

    private void offer(Object key, Object value) {
      if (!(key instanceof String) || !(value instanceof String)) {
        return;
      }
      switch (((String) key).toLowerCase(Locale.ROOT)) {
        case "url":
          url = (String) value;
          break;
        case "dbtable":
          dbtable = (String) value;
          break;
        case "query":
          query = (String) value;
          break;
        default:
          // user, password, driver properties: never read.
      }
    }

    JdbcUrl url(CaptureContext context) {
      JdbcUrl parsed = JdbcUrl.parse(url);
      if (parsed == null) {
        context.gap("jdbc-url", "spark-atlas-agent: a JDBC source or sink has no url option of the form jdbc:...; "
            + "its tables are missing from the lineage (reported once)");
      }
      return parsed;
    }
  }
}
