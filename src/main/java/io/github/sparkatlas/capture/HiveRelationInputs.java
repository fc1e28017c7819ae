package io.github.sparkatlas.capture;

import java.util.Arrays;
import java.util.List;

/** Hive-format tables read through the metastore. */
final class HiveRelationInputs implements InputExtractor {
  @Override
  public List<String> nodeNames() {
    return Arrays.asList("HiveTableRelation");
  }

  @Override
  public void extract(Object node, InputCollector inputs) {
    inputs.add(TableReader.catalogTable(Reflect.get(node, "tableMeta"), inputs.context()));
  }
}
