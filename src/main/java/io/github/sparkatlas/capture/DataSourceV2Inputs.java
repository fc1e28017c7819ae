package io.github.sparkatlas.capture;

import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.TableDataset;
import java.util.Arrays;
import java.util.List;

/** DSv2 relations, before and after scan planning (Spark 4 streaming shows the latter). */
final class DataSourceV2Inputs implements InputExtractor {
  @Override
  public List<String> nodeNames() {
    return Arrays.asList("DataSourceV2Relation", "DataSourceV2ScanRelation");
  }

  @Override
  public void extract(Object node, InputCollector inputs) {
    Object relation = Reflect.has(node, "identifier") ? node : Reflect.get(node, "relation");
    if (KafkaInputs.isKafkaTable(Reflect.get(relation, "table"))) {
      // Kafka's table has no identifier, and its name ("KafkaTable") is no table of any catalog.
      KafkaInputs.addV2Relation(relation, inputs);
      return;
    }
    if (JdbcRelations.isTable(Reflect.get(relation, "table"))) {
      // A JDBCTableCatalog's table: the database's table, not the catalog's name for it.
      JdbcRelations.addReads(Reflect.get(relation, "table"), inputs);
      return;
    }
    Dataset delta = DeltaTables.isTableV2(Reflect.get(relation, "table"))
        ? DeltaRelationInputs.v2Relation(relation, inputs.context()) : null;
    if (delta != null) {
      inputs.add(delta);
      return;
    }
    inputs.add(relationTable(relation, inputs.context()));
  }

  /** A DataSourceV2Relation: by catalog and identifier when it has them, else by the table's own name. */
  static TableDataset relationTable(Object relation, CaptureContext context) {
    Object table = Reflect.get(relation, "table");
    Object identifier = Reflect.option(Reflect.get(relation, "identifier"));
    if (identifier != null) {
      Object catalog = Reflect.option(Reflect.get(relation, "catalog"));
      return TableReader.v2Table(Reflect.string(Reflect.get(catalog, "name")), identifier, table, context);
    }
    return byTableName(table, context);
  }

  /** A v2 Table known only by its own name ({@code db.table} or just {@code table}). */
  static TableDataset byTableName(Object table, CaptureContext context) {
    String name = String.valueOf(Reflect.get(table, "name"));
    int dot = name.lastIndexOf('.');
    String database = dot > 0 ? name.substring(0, dot) : context.currentDatabase();
    return TableDataset.builder(database, dot > 0 ? name.substring(dot + 1) : name).build();
  }
}
