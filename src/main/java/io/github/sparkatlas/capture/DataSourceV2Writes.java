package io.github.sparkatlas.capture;

import io.github.sparkatlas.lineage.Dataset;
import java.util.Arrays;
import java.util.List;

/**
 * DSv2 writes: append, overwrite by expression, dynamic partition overwrite, and CTAS/RTAS into a v2 catalog.
 * Spark 3.3 names the CTAS target by {@code catalog}+{@code tableName}, 3.4 and later by a ResolvedIdentifier.
 */
final class DataSourceV2Writes implements WriteExtractor {
  @Override
  public List<String> nodeNames() {
    return Arrays.asList("AppendData", "OverwriteByExpression", "OverwritePartitionsDynamic",
        "CreateTableAsSelect", "ReplaceTableAsSelect");
  }

  @Override
  public Write extract(Object node, CaptureContext context) {
    Object query = Reflect.get(node, "query");
    Object relation = Reflect.get(node, "table");
    if (relation != null && KafkaInputs.isKafkaTable(Reflect.get(relation, "table"))) {
      return KafkaWrites.append(node, relation, context);
    }
    if (relation != null && JdbcRelations.isTable(Reflect.get(relation, "table"))) {
      return JdbcWrites.into(JdbcRelations.writtenInto(Reflect.get(relation, "table"), context), query);
    }
    Dataset delta = DeltaTables.isTableV2(Reflect.get(relation, "table"))
        ? DeltaRelationInputs.v2Relation(relation, context) : null;
    if (delta != null) {
      return Write.of(delta, query);
    }
    if (relation != null && Reflect.has(relation, "identifier")) {
      return Write.of(DataSourceV2Inputs.relationTable(relation, context), query);
    }
    Object resolved = Reflect.get(node, "name");
    if (resolved != null && JdbcRelations.isCatalog(Reflect.get(resolved, "catalog"))) {
      return JdbcWrites.into(JdbcRelations.catalogTable(Reflect.get(resolved, "catalog"),
          Reflect.get(resolved, "identifier"), context), query);
    }
    if (resolved != null && Reflect.has(resolved, "identifier")) {
      Object catalog = Reflect.get(resolved, "catalog");
      Object identifier = Reflect.get(resolved, "identifier");
      Dataset deltaPath = DeltaTables.pathIdentifier(catalog, identifier, context);
      return Write.of(deltaPath != null ? deltaPath : CreatedTables.describe(TableReader.v2TableBuilder(
          Reflect.string(Reflect.get(catalog, "name")), identifier, null, context), node, query, context), query);
    }
    Object identifier = Reflect.get(node, "tableName");
    if (identifier != null && JdbcRelations.isCatalog(Reflect.get(node, "catalog"))) {
      return JdbcWrites.into(JdbcRelations.catalogTable(Reflect.get(node, "catalog"), identifier, context), query);
    }
    if (identifier != null) {
      String catalog = Reflect.string(Reflect.get(Reflect.get(node, "catalog"), "name"));
      return Write.of(TableReader.v2Table(catalog, identifier, null, context), query);
    }
    context.unknownNode(node);
    return null;
  }
}
