package io.github.sparkatlas.capture;

import io.github.sparkatlas.lineage.Dataset;
import java.util.Arrays;
import java.util.List;

/** LOAD DATA [LOCAL] INPATH: the path is the input, the table the output. */
final class LoadDataWrites implements WriteExtractor {
  @Override
  public List<String> nodeNames() {
    return Arrays.asList("LoadDataCommand");
  }

  @Override
  public Write extract(Object node, CaptureContext context) {
    boolean local = Boolean.TRUE.equals(Reflect.get(node, "isLocal"));
    Dataset source = context.path(String.valueOf(Reflect.get(node, "path")), local);
    Dataset table = TableReader.named(Reflect.get(node, "table"), context).build();
    return Write.copy(source, table);
  }
}
