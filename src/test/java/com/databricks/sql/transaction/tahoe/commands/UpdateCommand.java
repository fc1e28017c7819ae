package com.databricks.sql.transaction.tahoe.commands;

import com.databricks.sql.transaction.tahoe.files.TahoeLogFileIndex;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import scala.Option;

/** Databricks' UPDATE command: the fields of Delta's UpdateCommand the agent reads. */
public final class UpdateCommand {
  private final TahoeLogFileIndex tahoeFileIndex;
  private final Option<CatalogTable> catalogTable;
  private final LogicalPlan target;

  public UpdateCommand(TahoeLogFileIndex tahoeFileIndex, Option<CatalogTable> catalogTable, LogicalPlan target) {
    this.tahoeFileIndex = tahoeFileIndex;
    this.catalogTable = catalogTable;
    this.target = target;
  }

  public TahoeLogFileIndex tahoeFileIndex() {
    return tahoeFileIndex;
  }

  public Option<CatalogTable> catalogTable() {
    return catalogTable;
  }

  public LogicalPlan target() {
    return target;
  }
}
