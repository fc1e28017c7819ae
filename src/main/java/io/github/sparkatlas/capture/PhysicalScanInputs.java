package io.github.sparkatlas.capture;

import java.util.Arrays;
import java.util.List;

/** Scans inside a physical plan (reached through a cache): each holds the relation it scans. */
final class PhysicalScanInputs implements InputExtractor {
  @Override
  public List<String> nodeNames() {
    return Arrays.asList("FileSourceScanExec", "HiveTableScanExec", "BatchScanExec", "InMemoryTableScanExec");
  }

  @Override
  public void extract(Object node, InputCollector inputs) {
    switch (Reflect.simpleName(node)) {
      case "FileSourceScanExec":
        Object table = Reflect.option(Reflect.get(node, "tableIdentifier"));
        if (table != null) {
          inputs.add(TableReader.named(table, inputs.context()).build());
        } else {
          FileRelationInputs.addRootPaths(Reflect.get(Reflect.get(node, "relation"), "location"), inputs);
        }
        break;
      case "BatchScanExec":
        if (KafkaInputs.isKafkaTable(Reflect.get(node, "table"))) {
          KafkaInputs.addV2Scan(node, inputs);
          break;
        }
        if (JdbcRelations.isTable(Reflect.get(node, "table"))) {
          JdbcRelations.addReads(Reflect.get(node, "table"), inputs);
          break;
        }
        inputs.add(DataSourceV2Inputs.byTableName(Reflect.get(node, "table"), inputs.context()));
        break;
      default:
        // HiveTableScanExec and InMemoryTableScanExec hold a logical relation: walk it like any other.
        inputs.walk(Reflect.get(node, "relation"));
    }
  }
}
