package com.databricks.sql.transaction.tahoe.commands;

import com.databricks.sql.transaction.tahoe.files.TahoeLogFileIndex;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import scala.Option;

/** Databricks' MERGE command: the fields of Delta's MergeIntoCommand the agent reads. */
public final class MergeIntoCommandEdge {
  private final LogicalPlan source;
  private final LogicalPlan target;
  private final Option<CatalogTable> catalogTable;
  private final TahoeLogFileIndex targetFileIndex;

  public MergeIntoCommandEdge(LogicalPlan source, LogicalPlan target, Option<CatalogTable> catalogTable,
      TahoeLogFileIndex targetFileIndex) {
    this.source = source;
    this.target = target;
    this.catalogTable = catalogTable;
    this.targetFileIndex = targetFileIndex;
  }

  public LogicalPlan source() {
    return source;
  }

  public LogicalPlan target() {
    return target;
  }

  public Option<CatalogTable> catalogTable() {
    return catalogTable;
  }

  public TahoeLogFileIndex targetFileIndex() {
    return targetFileIndex;
  }
}
