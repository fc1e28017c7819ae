package io.github.sparkatlas.capture;

import java.util.Arrays;
import java.util.List;

/** INSERT INTO/OVERWRITE of Hive-format tables. */
final class HiveWrites implements WriteExtractor {
  @Override
  public List<String> nodeNames() {
    return Arrays.asList("InsertIntoHiveTable");
  }

  @Override
  public Write extract(Object node, CaptureContext context) {
    return Write.of(TableReader.catalogTable(Reflect.get(node, "table"), context), Reflect.get(node, "query"));
  }
}
