package io.github.sparkatlas.capture;

import java.util.Arrays;
import java.util.List;

/**
 * Cached data ({@code df.cache()}, CACHE TABLE) appears as an InMemoryRelation over an already planned physical
 * plan; its scans name the real sources, so the walk continues into that plan.
 */
final class CachedRelationInputs implements InputExtractor {
  @Override
  public List<String> nodeNames() {
    return Arrays.asList("InMemoryRelation");
  }

  @Override
  public void extract(Object node, InputCollector inputs) {
    Object cachedPlan = Reflect.get(Reflect.get(node, "cacheBuilder"), "cachedPlan");
    if (cachedPlan == null) {
      inputs.unknown(node);
      return;
    }
    inputs.walk(cachedPlan);
  }
}
