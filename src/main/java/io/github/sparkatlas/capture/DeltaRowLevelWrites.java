package io.github.sparkatlas.capture;

import io.github.sparkatlas.lineage.Dataset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Delta's {@code UPDATE}, {@code DELETE} and {@code MERGE INTO} (SQL and the {@code DeltaTable} API alike), by the
 * commands Delta's analysis makes of them, and Databricks' {@code MergeIntoCommandEdge}. The output is the target
 * table. The inputs are what the command reads: a MERGE's source, anything a condition's subquery reads, and the
 * target itself, whose rows the command reads to rewrite them (with {@code application} granularity a table an
 * application writes is shown as its output only, so the target then appears once). The rewrite Delta runs as
 * nested executions of its own names no dataset of its own; nothing but the command is reported.
 */
final class DeltaRowLevelWrites implements WriteExtractor {
  @Override
  public List<String> nodeNames() {
    return Arrays.asList("UpdateCommand", "DeleteCommand", "MergeIntoCommand", "MergeIntoCommandEdge");
  }

  @Override
  public Write extract(Object node, CaptureContext context) {
    Object target = Reflect.get(node, "target");
    Dataset table = DeltaTables.of(Reflect.get(node, "catalogTable"), root(node), Reflect.get(target, "schema"),
        context);
    if (table == null) {
      context.unknownNode(node);
      return null;
    }
    List<Object> reads = new ArrayList<>();
    reads.add(target);
    Object source = Reflect.get(node, "source");
    if (source != null) {
      reads.add(source);
    }
    reads.addAll(Subqueries.of(node));
    return Write.ofAll(table, reads);
  }

  /** The table's root directory: the target's file index (UPDATE, MERGE) or its log (DELETE) holds it. */
  private static Object root(Object node) {
    Object fileIndex = Reflect.getAny(node, "tahoeFileIndex", "targetFileIndex");
    return fileIndex != null ? Reflect.get(fileIndex, "path") : Reflect.get(Reflect.get(node, "deltaLog"), "dataPath");
  }
}
