package io.github.sparkatlas.model;

import io.github.sparkatlas.lineage.Column;
import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.PathDataset;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.lineage.TableDataset;
import java.util.Objects;

/**
 * What of a dataset, beyond its name, ends up in its Atlas entity, reduced to a number: a table whose schema,
 * location or comment changed is news even though it is the same table, while the same table captured again is not.
 * Kept in memory only, never sent.
 */
public final class DatasetDetails {
  private DatasetDetails() {
  }

  /**
   * Equal for two captures that would make the same entities; a path or topic is all name. A table's create time is
   * left out: {@code saveAsTable} in overwrite mode re-creates the table at every write, which is not news.
   */
  public static long fingerprint(Dataset dataset) {
    long hash = dataset.key().hashCode();
    if (!(dataset instanceof TableDataset)) {
      return hash;
    }
    TableDataset table = (TableDataset) dataset;
    hash = mix(hash, Objects.hash(table.tableType(), table.provider(), table.location(), table.owner(),
        table.comment(), table.inputFormat(), table.outputFormat(), table.serde(), table.partitionColumns()));
    for (Column column : table.columns()) {
      hash = mix(hash, Objects.hash(column.name(), column.type(), column.nullable(), column.comment()));
    }
    return mix(hash, table.columns().size());
  }

  /**
   * How much a dataset adds to a message, in units of about one small entity: a table brings its storage descriptor
   * and each column it sends as entities of their own; an object-store path each level it is sent as (atlas naming:
   * its bucket, or account and container, and each directory level, as many as the naming sends before it falls back
   * to the plain form). Message bytes grow in proportion.
   */
  public static int weight(Dataset dataset) {
    if (dataset instanceof TableDataset) {
      return 1 + Math.min(((TableDataset) dataset).columns().size(), SparkEntityFactory.MAX_COLUMNS_PER_TABLE);
    }
    if (dataset instanceof PathDataset) {
      return CloudPathEntities.mostEntities(((PathDataset) dataset).uri().toString());
    }
    return 1;
  }

  /** Of everything one record read and wrote, side by side: equal for two records that would make the same message. */
  public static long fingerprint(QueryLineage record) {
    long hash = 1;
    for (Dataset input : record.inputs()) {
      hash = mix(hash, fingerprint(input));
    }
    hash = mix(hash, -1);
    for (Dataset output : record.outputs()) {
      hash = mix(hash, fingerprint(output));
    }
    return hash;
  }

  private static long mix(long hash, long value) {
    return hash * 1_000_003L ^ value;
  }
}
