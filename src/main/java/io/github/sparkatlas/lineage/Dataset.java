package io.github.sparkatlas.lineage;

/**
 * Something a Spark query reads or writes, as captured from the plan: small, immutable and free of Spark
 * classes. Two datasets are equal when they name the same thing, whatever details were captured with them.
 */
public abstract class Dataset {
  Dataset() {
  }

  /** Identity of the thing named, e.g. {@code table:db.t} or {@code path:hdfs://nn/x}: the union key. */
  public abstract String key();

  @Override
  public final boolean equals(Object other) {
    return other instanceof Dataset && ((Dataset) other).key().equals(key());
  }

  @Override
  public final int hashCode() {
    return key().hashCode();
  }

  @Override
  public String toString() {
    return key();
  }
}
