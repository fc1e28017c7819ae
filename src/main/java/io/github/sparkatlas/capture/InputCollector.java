package io.github.sparkatlas.capture;

import io.github.sparkatlas.lineage.Dataset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Walks the plan a write reads from and collects every dataset its leaves name. Views, aliases, joins and
 * subqueries are walked through; data that lives only in the driver (local rows, RDDs, ranges) is ignored; a
 * leaf no extractor knows is reported, not guessed.
 */
final class InputCollector {
  /** Leaves whose data comes from no dataset Atlas could name. */
  private static final Set<String> NO_DATASET = new HashSet<>(Arrays.asList("LocalRelation", "LogicalRDD",
      "Range", "OneRowRelation", "ExternalRDD", "LocalTableScanExec", "RDDScanExec", "RangeExec",
      "ExternalRDDScanExec", "EmptyRelation", "CommandResult"));

  private final Map<String, InputExtractor> extractors;
  private final CaptureContext context;
  private final Set<Dataset> inputs = new LinkedHashSet<>();
  private final Deque<Object> pending = new ArrayDeque<>();

  InputCollector(List<InputExtractor> extractors, CaptureContext context) {
    this.extractors = new HashMap<>();
    for (InputExtractor extractor : extractors) {
      for (String name : extractor.nodeNames()) {
        this.extractors.put(name, extractor);
      }
    }
    this.context = context;
  }

  CaptureContext context() {
    return context;
  }

  void add(Dataset dataset) {
    inputs.add(dataset);
  }

  void unknown(Object node) {
    context.unknownNode(node);
  }

  /** Queues a plan (logical or physical) to be walked; extractors call this for plans they contain. */
  void walk(Object plan) {
    if (plan != null) {
      pending.push(plan);
    }
  }

  /** Walks everything queued, iteratively so that deep plans cannot overflow the listener thread's stack. */
  List<Dataset> collect() {
    while (!pending.isEmpty() && context.visit()) {
      Object node = pending.pop();
      String name = Reflect.simpleName(node);
      InputExtractor extractor = extractors.get(name);
      if (extractor != null) {
        extractor.extract(node, this);
      } else if (!NO_DATASET.contains(name)) {
        List<Object> children = Reflect.elements(Reflect.get(node, "children"));
        if (children.isEmpty()) {
          unknown(node);
        }
        for (int i = children.size() - 1; i >= 0; i--) {
          walk(children.get(i));
        }
      }
      for (Object subquery : Subqueries.of(node)) {
        walk(subquery);
      }
    }
    return new ArrayList<>(inputs);
  }
}
