package io.github.sparkatlas;

import io.github.sparkatlas.lineage.QueryLineage;
import java.util.function.Consumer;

/**
 * Work that Spark's threads hand to the agent thread, because it takes longer than a listener callback may: reading
 * a streaming query's plan, resolving what its progress says it read. It runs in submission order with the captured
 * executions, and reports what it finds as lineage records, exactly as a captured execution would be.
 */
public interface AgentTask {
  /** Runs on the agent thread; {@code lineage} takes each record found. */
  void run(Consumer<QueryLineage> lineage);
}
