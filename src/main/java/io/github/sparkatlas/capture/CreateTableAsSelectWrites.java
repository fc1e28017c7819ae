package io.github.sparkatlas.capture;

import java.util.Arrays;
import java.util.List;

/**
 * CTAS and saveAsTable into the session catalog. From Spark 3.4 the query is no longer a child of the command
 * (it ran as a nested execution), so it is read from the command's own field.
 */
final class CreateTableAsSelectWrites implements WriteExtractor {
  @Override
  public List<String> nodeNames() {
    return Arrays.asList("CreateDataSourceTableAsSelectCommand", "CreateHiveTableAsSelectCommand",
        "OptimizedCreateHiveTableAsSelectCommand");
  }

  @Override
  public Write extract(Object node, CaptureContext context) {
    Object table = Reflect.getAny(node, "table", "tableDesc");
    Object query = Reflect.get(node, "query");
    return Write.of(TableReader.catalogTable(table, context, Reflect.get(query, "schema")), query);
  }
}
