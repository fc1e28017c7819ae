package com.databricks.sql.transaction.tahoe.commands;

import com.databricks.sql.transaction.tahoe.DeltaLog;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import scala.Option;

/** Databricks' DELETE command: the fields of Delta's DeleteCommand the agent reads. */
public final class DeleteCommand {
  private final DeltaLog deltaLog;
  private final Option<CatalogTable> catalogTable;
  private final LogicalPlan target;

  public DeleteCommand(DeltaLog deltaLog, Option<CatalogTable> catalogTable, LogicalPlan target) {
    this.deltaLog = deltaLog;
    this.catalogTable = catalogTable;
    this.target = target;
  }

  public DeltaLog deltaLog() {
    return deltaLog;
  }

  public Option<CatalogTable> catalogTable() {
    return catalogTable;
  }

  public LogicalPlan target() {
    return target;
  }
}
