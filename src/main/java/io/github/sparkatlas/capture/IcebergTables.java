package io.github.sparkatlas.capture;

import java.net.URI;

/**
 * Details of an Iceberg table ({@code org.apache.iceberg.spark.source.SparkTable}) read from the metadata it has
 * already loaded. Its {@code properties()} would ask the table for its current metadata, and after a commit that
 * means reading the metadata files or asking the catalog again: never on Spark's listener thread.
 */
final class IcebergTables {
  private IcebergTables() {
  }

  /** Iceberg's table classes by name, and by the Iceberg table they hold: another connector may have a SparkTable. */
  static boolean isIcebergTable(Object table) {
    String name = Reflect.simpleName(table);
    return ("SparkTable".equals(name) || "StagedSparkTable".equals(name))
        && Reflect.field(table, "icebergTable") != null;
  }

  /**
   * The table's root location as its loaded metadata says (Hadoop and metastore catalogs keep it in
   * {@code currentMetadata}, the REST catalog in {@code current}); null when none is loaded or it is no URI.
   */
  static URI location(Object sparkTable) {
    Object operations = Reflect.field(Reflect.field(sparkTable, "icebergTable"), "ops");
    Object metadata = Reflect.field(operations, "currentMetadata");
    if (metadata == null) {
      metadata = Reflect.field(operations, "current");
    }
    String location = "TableMetadata".equals(Reflect.simpleName(metadata))
        ? Reflect.string(Reflect.get(metadata, "location")) : null;
    try {
      return location == null ? null : URI.create(location);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
