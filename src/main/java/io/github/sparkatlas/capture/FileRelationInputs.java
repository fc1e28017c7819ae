package io.github.sparkatlas.capture;

import java.net.URI;
import java.util.Arrays;
import java.util.List;

/**
 * V1 relations: a catalog table when the relation came from one, else the root paths of a file relation.
 * Only the roots the user named: never the listed files, never a new listing.
 */
final class FileRelationInputs implements InputExtractor {
  @Override
  public List<String> nodeNames() {
    return Arrays.asList("LogicalRelation");
  }

  @Override
  public void extract(Object node, InputCollector inputs) {
    if (DeltaRelationInputs.readsDelta(node)) {
      DeltaRelationInputs.addLogicalRelation(node, inputs);
      return;
    }
    Object relation = Reflect.get(node, "relation");
    if (JdbcRelations.isRelation(relation)) {
      // A JDBC read, or a USING jdbc table: the data is the database's table, whatever Spark's catalog calls it.
      JdbcRelations.addReads(relation, inputs);
      return;
    }
    Object catalogTable = Reflect.option(Reflect.get(node, "catalogTable"));
    if (catalogTable != null) {
      inputs.add(TableReader.catalogTable(catalogTable, inputs.context()));
      return;
    }
    if (KafkaInputs.isKafkaRelation(relation)) {
      KafkaInputs.addRelation(relation, inputs);
      return;
    }
    Object location = Reflect.get(relation, "location");
    if (location == null) {
      inputs.unknown(relation);
      return;
    }
    addRootPaths(location, inputs);
  }

  /** The roots of a FileIndex, as they were given: reading them lists nothing. */
  static void addRootPaths(Object fileIndex, InputCollector inputs) {
    for (Object path : Reflect.elements(Reflect.get(fileIndex, "rootPaths"))) {
      inputs.add(inputs.context().path((URI) Reflect.get(path, "toUri"), false));
    }
  }
}
