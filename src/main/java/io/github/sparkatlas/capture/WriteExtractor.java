package io.github.sparkatlas.capture;

import java.util.List;

/** Reads one family of write commands. Matched by the node's simple class name, so vendor copies match too. */
interface WriteExtractor {
  List<String> nodeNames();

  /** @return the write, or null when this node writes nothing lineage should show (a temporary view) */
  Write extract(Object node, CaptureContext context);
}
