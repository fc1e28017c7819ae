package io.github.sparkatlas.capture;

import java.util.Arrays;
import java.util.List;

/**
 * A DELETE that Spark leaves to the table instead of rewriting it into row-level writes: {@code DELETE FROM t}
 * without WHERE on a table that can truncate (Iceberg), or a delete by filters the table takes whole. No row is read,
 * so the table is the output and nothing is an input.
 */
final class TableDeletes implements WriteExtractor {
  @Override
  public List<String> nodeNames() {
    return Arrays.asList("DeleteFromTable");
  }

  @Override
  public Write extract(Object node, CaptureContext context) {
    Object relation = Reflect.get(node, "table");
    while ("SubqueryAlias".equals(Reflect.simpleName(relation))) {
      relation = Reflect.get(relation, "child");
    }
    if (!Reflect.has(relation, "identifier")) {
      context.unknownNode(node);
      return null;
    }
    return Write.of(DataSourceV2Inputs.relationTable(relation, context), null);
  }
}
