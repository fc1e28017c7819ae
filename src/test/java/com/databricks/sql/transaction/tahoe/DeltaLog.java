package com.databricks.sql.transaction.tahoe;

import org.apache.hadoop.fs.Path;

/** Databricks' DeltaLog: its data path, and nothing that would read the log. */
public final class DeltaLog {
  private final Path dataPath;

  public DeltaLog(Path dataPath) {
    this.dataPath = dataPath;
  }

  public Path dataPath() {
    return dataPath;
  }

  public Object snapshot() {
    throw new AssertionError("the log was read");
  }

  public Object update() {
    throw new AssertionError("the log was read");
  }
}
