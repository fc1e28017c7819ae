package com.databricks.sql.transaction.tahoe.files;

import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.execution.datasources.FileIndex;
import org.apache.spark.sql.execution.datasources.PartitionDirectory;
import org.apache.spark.sql.types.StructType;
import scala.collection.Seq;

/** Databricks' file index of a Delta table: its root, and no listing (every listing method fails the test). */
public final class TahoeLogFileIndex implements FileIndex {
  private final Path path;

  public TahoeLogFileIndex(Path path) {
    this.path = path;
  }

  public Path path() {
    return path;
  }

  @Override
  public Seq<Path> rootPaths() {
    throw new AssertionError("a Delta file index was asked for its root paths");
  }

  @Override
  public Seq<PartitionDirectory> listFiles(Seq<Expression> partitionFilters, Seq<Expression> dataFilters) {
    throw new AssertionError("a Delta table's files were listed");
  }

  @Override
  public String[] inputFiles() {
    throw new AssertionError("a Delta table's files were listed");
  }

  @Override
  public void refresh() {
    throw new AssertionError("a Delta table was refreshed");
  }

  @Override
  public long sizeInBytes() {
    return 0;
  }

  @Override
  public StructType partitionSchema() {
    return new StructType();
  }
}
