package io.github.sparkatlas.capture;

import java.net.URI;
import java.util.Arrays;
import java.util.List;

/** {@code df.write.save/parquet/csv/...}, INSERT into data-source tables, and saveAsTable's inner insert. */
final class FileWrites implements WriteExtractor {
  @Override
  public List<String> nodeNames() {
    return Arrays.asList("InsertIntoHadoopFsRelationCommand");
  }

  @Override
  public Write extract(Object node, CaptureContext context) {
    Object query = Reflect.get(node, "query");
    Object catalogTable = Reflect.option(Reflect.get(node, "catalogTable"));
    if (catalogTable != null) {
      return Write.of(TableReader.catalogTable(catalogTable, context), query);
    }
    URI path = (URI) Reflect.get(Reflect.get(node, "outputPath"), "toUri");
    return Write.of(context.path(path, false), query);
  }
}
