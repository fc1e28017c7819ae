package com.databricks.sql.transaction.tahoe.catalog;

import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.types.StructType;
import scala.Option;

/**
 * Databricks' DSv2 Delta table: its catalog table and path. Its name, schema and properties would load the table's
 * log, so asking for them fails the test.
 */
public final class DeltaTableV2 implements Table {
  private final Path path;
  private final Option<CatalogTable> catalogTable;

  public DeltaTableV2(Path path, Option<CatalogTable> catalogTable) {
    this.path = path;
    this.catalogTable = catalogTable;
  }

  public Path path() {
    return path;
  }

  public Option<CatalogTable> catalogTable() {
    return catalogTable;
  }

  @Override
  public String name() {
    throw new AssertionError("DeltaTableV2.name() loads the log");
  }

  @Override
  @SuppressWarnings("deprecation")
  public StructType schema() {
    throw new AssertionError("DeltaTableV2.schema() loads the log");
  }

  @Override
  public Map<String, String> properties() {
    throw new AssertionError("DeltaTableV2.properties() loads the log");
  }

  @Override
  public Set<TableCapability> capabilities() {
    throw new AssertionError("DeltaTableV2.capabilities() is not for lineage");
  }
}
