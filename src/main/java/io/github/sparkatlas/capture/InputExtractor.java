package io.github.sparkatlas.capture;

import java.util.List;

/** Reads one family of plan nodes that read data. Matched by the node's simple class name. */
interface InputExtractor {
  List<String> nodeNames();

  /** Adds what the node reads to {@code inputs}; may hand inner plans back to it to walk. */
  void extract(Object node, InputCollector inputs);
}
