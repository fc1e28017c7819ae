package io.github.sparkatlas.capture;

import io.github.sparkatlas.lineage.Dataset;
import java.util.Arrays;
import java.util.List;

/**
 * Delta's own write commands where they stand in a plan: {@code DeltaDynamicPartitionOverwriteCommand} (an
 * {@code INSERT OVERWRITE} or {@code overwritePartitions()} of a Delta table with dynamic partition overwrite) and
 * {@code WriteIntoDelta} (which Delta mostly runs without a plan of its own, inside a {@code save} or a DSv2 write
 * that the agent reads instead). The table is named as {@link DeltaTables} does; the rows come from the command's
 * query, or from the DataFrame {@code WriteIntoDelta} holds.
 */
final class DeltaCommandWrites implements WriteExtractor {
  @Override
  public List<String> nodeNames() {
    return Arrays.asList("DeltaDynamicPartitionOverwriteCommand", "WriteIntoDelta");
  }

  @Override
  public Write extract(Object node, CaptureContext context) {
    Object query;
    Dataset table;
    if ("WriteIntoDelta".equals(Reflect.simpleName(node))) {
      query = Reflect.get(Reflect.get(node, "data"), "logicalPlan");
      table = DeltaTables.of(Reflect.get(node, "catalogTableOpt"),
          Reflect.get(Reflect.get(node, "deltaLog"), "dataPath"), Reflect.get(query, "schema"), context);
    } else {
      query = Reflect.get(node, "query");
      table = DeltaTables.ofTableV2(Reflect.get(node, "deltaTable"), Reflect.get(Reflect.get(node, "table"), "schema"),
          context);
    }
    if (table == null) {
      context.unknownNode(node);
      return null;
    }
    return Write.of(table, query);
  }
}
