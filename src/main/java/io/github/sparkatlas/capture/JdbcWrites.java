package io.github.sparkatlas.capture;

import io.github.sparkatlas.lineage.DatabaseTableDataset;
import java.util.Arrays;
import java.util.List;

/**
 * Writes into a database table over JDBC: {@code df.write.jdbc(...)} and {@code format("jdbc").save()} (a
 * {@code SaveIntoDataSourceCommand} over {@code JdbcRelationProvider}, read from {@link DataSourceOptionWrites}),
 * {@code INSERT INTO} a {@code USING jdbc} table (an {@code InsertIntoDataSourceCommand} on a
 * {@code JDBCRelation}), and appends into a {@code JDBCTableCatalog}'s table (from {@link DataSourceV2Writes}).
 */
final class JdbcWrites implements WriteExtractor {
  @Override
  public List<String> nodeNames() {
    return Arrays.asList("InsertIntoDataSourceCommand");
  }

  @Override
  public Write extract(Object node, CaptureContext context) {
    Object relation = Reflect.get(Reflect.get(node, "logicalRelation"), "relation");
    if (!JdbcRelations.isRelation(relation)) {
      // Another InsertableRelation: a source this agent does not know.
      context.unknownNode(relation == null ? node : relation);
      return null;
    }
    return into(JdbcRelations.writtenInto(relation, context), Reflect.get(node, "query"));
  }

  /** A {@code SaveIntoDataSourceCommand} whose data source is JDBC's. */
  static Write save(Object command, CaptureContext context) {
    return into(JdbcRelations.written(Reflect.get(command, "options"), context), Reflect.get(command, "query"));
  }

  static Write into(DatabaseTableDataset table, Object query) {
    return table == null ? null : Write.of(table, query);
  }
}
