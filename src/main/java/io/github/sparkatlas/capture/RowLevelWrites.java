package io.github.sparkatlas.capture;

import java.util.Arrays;
import java.util.List;

/**
 * MERGE INTO, UPDATE and DELETE ... WHERE on a DSv2 table that supports row-level operations (Iceberg), as Spark
 * 3.5's analyzer rewrites them: {@code ReplaceData} (copy-on-write) or {@code WriteDelta} (merge-on-read), and
 * Iceberg's own {@code ReplaceIcebergData} / {@code WriteIcebergDelta} of the same shape on older Spark versions. The
 * output is the table the command names, read from {@code originalTable}: the write relation wraps it in a
 * {@code RowLevelOperationTable} for the rewrite. The query reads the MERGE source, the tables of the conditions'
 * subqueries and the target's own rows (those kept or changed), so the target is an input too.
 */
final class RowLevelWrites implements WriteExtractor {
  @Override
  public List<String> nodeNames() {
    return Arrays.asList("ReplaceData", "WriteDelta", "ReplaceIcebergData", "WriteIcebergDelta");
  }

  @Override
  public Write extract(Object node, CaptureContext context) {
    Object original = Reflect.get(node, "originalTable");
    if (!Reflect.has(original, "identifier")) {
      context.unknownNode(node);
      return null;
    }
    return Write.of(DataSourceV2Inputs.relationTable(original, context), Reflect.get(node, "query"));
  }
}
