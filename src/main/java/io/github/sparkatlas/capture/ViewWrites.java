package io.github.sparkatlas.capture;

import java.util.Arrays;
import java.util.List;

/** CREATE VIEW ... AS SELECT: a persistent view is a dataset made from its query; temporary views are not. */
final class ViewWrites implements WriteExtractor {
  @Override
  public List<String> nodeNames() {
    return Arrays.asList("CreateViewCommand");
  }

  @Override
  public Write extract(Object node, CaptureContext context) {
    if (!"PersistedView".equals(String.valueOf(Reflect.get(node, "viewType")).replace("$", ""))) {
      return null;
    }
    return Write.of(TableReader.named(Reflect.get(node, "name"), context).tableType("VIEW").build(),
        Reflect.getAny(node, "plan", "child"));
  }
}
