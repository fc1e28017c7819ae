package io.github.sparkatlas.capture;

import io.github.sparkatlas.lineage.DatabaseQueryDataset;
import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.QueryLineage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * On the agent thread, before a record is looked at: the JDBC queries it read become the tables they name (see
 * {@link JdbcTableNames}), so that the parse never runs on a listener thread.
 */
public final class JdbcQueries {
  private JdbcQueries() {
  }

  /**
   * @param gaps told, by a key to report each kind once, what a query did not let the parser read
   * @return the record reading the queries' tables in their place; the same record when it read no query
   */
  public static QueryLineage resolve(QueryLineage record, BiConsumer<String, String> gaps) {
    boolean any = false;
    for (Dataset input : record.inputs()) {
      any |= input instanceof DatabaseQueryDataset;
    }
    if (!any) {
      return record;
    }
    List<Dataset> inputs = new ArrayList<>();
    for (Dataset input : record.inputs()) {
      if (input instanceof DatabaseQueryDataset) {
        inputs.addAll(JdbcTableNames.tablesOf((DatabaseQueryDataset) input, gaps));
      } else {
        inputs.add(input);
      }
    }
    return record.withInputs(inputs);
  }
}
