package io.github.sparkatlas.capture;

import io.github.sparkatlas.lineage.CatalogChange;
import io.github.sparkatlas.lineage.DatabaseDefinition;
import io.github.sparkatlas.lineage.TableDataset;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.apache.spark.sql.connector.catalog.SupportsNamespaces;
import org.apache.spark.sql.connector.catalog.TableCatalog;

/**
 * A DSv2 table's or namespace's current definition, loaded from its catalog on the agent thread after a CREATE or
 * ALTER: one {@code loadTable} (or {@code loadNamespaceMetadata}) per DDL statement; for a file-based catalog such
 * as Iceberg's that is one read of the table's metadata file. Never on Spark's listener thread.
 */
final class V2CatalogDefinition implements CatalogChange.Definition {
  private static final long READ_BUDGET_NANOS = 60_000_000_000L;

  private final Object catalog;
  private final String name;
  private final Object identifier;
  private final String[] namespace;

  /**
   * @param name       the catalog's name (a table) or the namespace's database name (a namespace)
   * @param identifier the table's identifier, or null for a namespace
   * @param namespace  the namespace, or null for a table
   */
  V2CatalogDefinition(Object catalog, String name, Object identifier, String[] namespace) {
    this.catalog = catalog;
    this.name = name;
    this.identifier = identifier;
    this.namespace = namespace;
  }

  @Override
  public TableDataset table() {
    if (!(catalog instanceof TableCatalog) || !(identifier instanceof Identifier)) {
      return null;
    }
    TableCatalog tables = (TableCatalog) catalog;
    if (!tables.tableExists((Identifier) identifier)) {
      return null;
    }
    org.apache.spark.sql.connector.catalog.Table table;
    try {
      table = tables.loadTable((Identifier) identifier);
    } catch (org.apache.spark.sql.catalyst.analysis.NoSuchTableException e) {
      return null;
    }
    CaptureContext context = new CaptureContext(SessionDefaults.NONE, System.nanoTime() + READ_BUDGET_NANOS);
    TableDataset read = TableReader.v2Table(name, identifier, table, context);
    Map<String, String> properties = new LinkedHashMap<>(table.properties());
    return read.toBuilder(read.database(), read.table()).comment(properties.get("comment"))
        .owner(properties.get("owner")).properties(properties).build();
  }

  @Override
  public DatabaseDefinition database() {
    if (!(catalog instanceof SupportsNamespaces) || namespace == null) {
      return null;
    }
    SupportsNamespaces namespaces = (SupportsNamespaces) catalog;
    if (!namespaces.namespaceExists(namespace)) {
      return null;
    }
    Map<String, String> metadata;
    try {
      metadata = new LinkedHashMap<>(namespaces.loadNamespaceMetadata(namespace));
    } catch (org.apache.spark.sql.catalyst.analysis.NoSuchNamespaceException e) {
      return null;
    }
    String location = metadata.get("location");
    URI uri = null;
    try {
      uri = location == null ? null : URI.create(location);
    } catch (IllegalArgumentException e) {
      // A location that is not a URI is left out rather than guessed.
    }
    return new DatabaseDefinition(name, metadata.get("comment"), uri, metadata);
  }
}
