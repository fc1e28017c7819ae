package io.github.sparkatlas.capture;

import io.github.sparkatlas.lineage.Column;
import io.github.sparkatlas.lineage.TableDataset;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** Reads table names and details from Spark's catalog objects already in the plan (no catalog call). */
final class TableReader {
  private TableReader() {
  }

  /** A {@code CatalogTable}: name, type, provider, storage, owner, schema. */
  static TableDataset catalogTable(Object catalogTable, CaptureContext context) {
    return catalogTable(catalogTable, context, null);
  }

  /**
   * @param querySchema the schema of the query that fills the table, for tables created by that query whose
   *                    catalog entry has no schema yet (CTAS, saveAsTable)
   */
  static TableDataset catalogTable(Object catalogTable, CaptureContext context, Object querySchema) {
    Object identifier = Reflect.get(catalogTable, "identifier");
    TableDataset.Builder table = named(identifier, context);
    Object storage = Reflect.get(catalogTable, "storage");
    Object location = Reflect.option(Reflect.get(storage, "locationUri"));
    Object createTime = Reflect.get(catalogTable, "createTime");
    String owner = Reflect.string(Reflect.get(catalogTable, "owner"));
    table.tableType(Reflect.string(Reflect.get(Reflect.get(catalogTable, "tableType"), "name")))
        .provider(Reflect.string(Reflect.get(catalogTable, "provider")))
        .location(location instanceof URI ? (URI) location : null)
        .owner(owner == null || owner.isEmpty() ? null : owner)
        .createTime(createTime instanceof Long && (Long) createTime > 0 ? (Long) createTime : null)
        .comment(Reflect.string(Reflect.get(catalogTable, "comment")))
        .storage(Reflect.string(Reflect.get(storage, "inputFormat")),
            Reflect.string(Reflect.get(storage, "outputFormat")), Reflect.string(Reflect.get(storage, "serde")))
        .partitionColumns(strings(Reflect.get(catalogTable, "partitionColumnNames")));
    List<Column> columns = columns(Reflect.get(catalogTable, "schema"), context);
    table.columns(columns.isEmpty() && querySchema != null ? columns(querySchema, context) : columns);
    return table.build();
  }

  /** A {@code TableIdentifier}; a missing database is the session's current one. */
  static TableDataset.Builder named(Object tableIdentifier, CaptureContext context) {
    String database = Reflect.string(Reflect.get(tableIdentifier, "database"));
    String name = Reflect.string(Reflect.get(tableIdentifier, "table"));
    return TableDataset.builder(database != null ? database : context.currentDatabase(), name);
  }

  /**
   * A DSv2 table by catalog and identifier. Tables of the session catalog keep Atlas's {@code db.table} name;
   * tables of other catalogs are prefixed with the catalog name so two catalogs never collide.
   */
  static TableDataset v2Table(String catalog, Object identifier, Object table, CaptureContext context) {
    return v2TableBuilder(catalog, identifier, table, context).build();
  }

  /** {@link #v2Table}, for a caller that adds what it knows besides (a CTAS's query schema). */
  static TableDataset.Builder v2TableBuilder(String catalog, Object identifier, Object table,
      CaptureContext context) {
    List<String> namespace = new ArrayList<>();
    for (Object part : Reflect.elements(Reflect.get(identifier, "namespace"))) {
      namespace.add(String.valueOf(part));
    }
    String name = String.valueOf(Reflect.get(identifier, "name"));
    String database = String.join(".", namespace);
    if (catalog != null && !"spark_catalog".equals(catalog)) {
      database = database.isEmpty() ? catalog : catalog + "." + database;
    }
    TableDataset.Builder builder = TableDataset.builder(database.isEmpty() ? "default" : database, name);
    if ("RowLevelOperationTable".equals(Reflect.simpleName(table))) {
      // Spark's wrapper of the table a MERGE, UPDATE or DELETE rewrites; the table itself has the details.
      table = Reflect.get(table, "table");
    }
    if (IcebergTables.isIcebergTable(table)) {
      builder.columns(columns(Reflect.get(table, "schema"), context)).provider("iceberg")
          .location(IcebergTables.location(table));
    } else if (table != null) {
      builder.columns(columns(Reflect.get(table, "schema"), context));
      Object properties = Reflect.get(table, "properties");
      if (properties instanceof java.util.Map) {
        Object provider = ((java.util.Map<?, ?>) properties).get("provider");
        Object location = ((java.util.Map<?, ?>) properties).get("location");
        builder.provider(provider == null ? null : provider.toString());
        if (location != null) {
          try {
            builder.location(URI.create(location.toString()));
          } catch (IllegalArgumentException e) {
            // A location that is not a URI is left out rather than guessed.
          }
        }
      }
    }
    return builder;
  }

  static List<String> strings(Object collection) {
    List<String> out = new ArrayList<>();
    for (Object element : Reflect.elements(collection)) {
      out.add(String.valueOf(element));
    }
    return out;
  }

  /**
   * A {@code StructType}'s top-level fields; none once the time budget is spent. A table's columns are all there or
   * all left out: a partial list would tell Atlas that the missing columns are gone.
   */
  static List<Column> columns(Object structType, CaptureContext context) {
    List<Column> columns = new ArrayList<>();
    Object fields = Reflect.get(structType, "fields");
    for (Object field : Reflect.elements(fields)) {
      if (!context.withinBudget()) {
        return new ArrayList<>();
      }
      Object type = Reflect.get(field, "dataType");
      columns.add(new Column(String.valueOf(Reflect.get(field, "name")),
          String.valueOf(Reflect.get(type, "catalogString")),
          !Boolean.FALSE.equals(Reflect.get(field, "nullable")),
          Reflect.string(Reflect.get(field, "getComment"))));
    }
    return columns;
  }
}
