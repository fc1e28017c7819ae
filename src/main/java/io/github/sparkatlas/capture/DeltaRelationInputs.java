package io.github.sparkatlas.capture;

import io.github.sparkatlas.lineage.Dataset;

/**
 * Reads of a Delta table, by name or by path: the relation Delta's analysis makes of them (a
 * {@code LogicalRelation} over a {@code TahoeLogFileIndex}), or a {@code DataSourceV2Relation} over a
 * {@code DeltaTableV2} where one stays in the plan. Both name the table as {@link DeltaTables} does, so a table read
 * and written is one dataset. Called by {@link FileRelationInputs} and {@link DataSourceV2Inputs}, which own those
 * node names.
 */
final class DeltaRelationInputs {
  private DeltaRelationInputs() {
  }

  /** Whether a {@code LogicalRelation} reads a Delta table. */
  static boolean readsDelta(Object logicalRelation) {
    return DeltaTables.isFileIndex(Reflect.get(Reflect.get(logicalRelation, "relation"), "location"));
  }

  /** A {@code LogicalRelation} over a Delta table: its catalog table, else the root its file index holds. */
  static void addLogicalRelation(Object logicalRelation, InputCollector inputs) {
    Object fileIndex = Reflect.get(Reflect.get(logicalRelation, "relation"), "location");
    Dataset table = DeltaTables.of(Reflect.get(logicalRelation, "catalogTable"), Reflect.get(fileIndex, "path"),
        Reflect.get(logicalRelation, "schema"), inputs.context());
    if (table == null) {
      inputs.unknown(fileIndex);
    } else {
      inputs.add(table);
    }
  }

  /** A {@code DataSourceV2Relation} over a {@code DeltaTableV2}. */
  static Dataset v2Relation(Object relation, CaptureContext context) {
    return DeltaTables.ofTableV2(Reflect.get(relation, "table"), Reflect.get(relation, "schema"), context);
  }
}
