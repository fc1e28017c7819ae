package io.github.sparkatlas.capture;

import io.github.sparkatlas.lineage.CatalogChange;
import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.QueryLineage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Follows SQL executions from start to end and reports each write once. From Spark 3.4 a CTAS or saveAsTable
 * runs its insert as a nested execution that ends first and names only the table's directory; its lineage is
 * held until the outer execution ends, and dropped when the outer one reports the same write as a table.
 */
public final class ExecutionTracker {
  /** Open nested executions and held lineages are bounded; what falls out is reported, never lost. */
  private static final int MAX_TRACKED = 1_000;

  private final LineageCapture capture;
  private final Consumer<QueryLineage> out;
  private final Map<Long, Long> rootOfNested = bounded();
  private final Map<Long, List<QueryLineage>> heldByRoot = new LinkedHashMap<Long, List<QueryLineage>>() {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, List<QueryLineage>> eldest) {
      if (size() > MAX_TRACKED) {
        eldest.getValue().forEach(ExecutionTracker.this.out);
        return true;
      }
      return false;
    }
  };
  private long supersededNested;
  private long partialCaptures;
  private final Consumer<CatalogChange> changes;
  /** Root executions started and not ended: a catalog event seen meanwhile may be one of theirs. */
  private final Map<Long, Long> openRoots = bounded();
  /** Catalog changes seen while a root execution was open, in order; bounded, the oldest let go first. */
  private final List<CatalogChange> heldChanges = new ArrayList<>();

  /** Catalog changes are not followed: for tests of the executions alone. */
  public ExecutionTracker(LineageCapture capture, Consumer<QueryLineage> out) {
    this(capture, out, change -> { });
  }

  /** @param changes takes each catalog change, in order with the executions' lineage */
  public ExecutionTracker(LineageCapture capture, Consumer<QueryLineage> out, Consumer<CatalogChange> changes) {
    this.capture = capture;
    this.out = out;
    this.changes = changes;
  }

  /**
   * A change the session catalog reported (see {@link CatalogEvents}). While a root execution runs it is held until
   * one ends, so that a table its own write creates (a CTAS, a saveAsTable, a CREATE VIEW AS SELECT) is sent once, in
   * its process's message, and so that held changes still reach the agent before that write's record.
   */
  public synchronized void onCatalogChange(CatalogChange change) {
    if (openRoots.isEmpty()) {
      changes.accept(change);
      return;
    }
    if (heldChanges.size() >= MAX_TRACKED) {
      changes.accept(heldChanges.remove(0));
    }
    heldChanges.add(change);
  }

  /** Hands over the held changes, leaving out the definitions of tables the ending execution writes itself. */
  private void releaseChanges(QueryLineage ending) {
    Set<String> written = new HashSet<>();
    if (ending != null) {
      for (Dataset output : ending.outputs()) {
        written.add(output.key());
      }
    }
    for (CatalogChange change : heldChanges) {
      if (!(change.kind() == CatalogChange.Kind.TABLE_DEFINED && written.contains(change.table().key()))) {
        changes.accept(change);
      }
    }
    heldChanges.clear();
  }

  private static Map<Long, Long> bounded() {
    return new LinkedHashMap<Long, Long>() {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, Long> eldest) {
        return size() > MAX_TRACKED;
      }
    };
  }

  /** A SparkListenerSQLExecutionStart. */
  public synchronized void onStart(Object executionStart) {
    Long root = SparkInternals.rootExecutionIdOfNested(executionStart);
    if (root != null) {
      rootOfNested.put(SparkInternals.executionId(executionStart), root);
    } else {
      long id = SparkInternals.executionId(executionStart);
      openRoots.put(id, id);
    }
  }

  /**
   * A SparkListenerSQLExecutionEnd: captures it and reports what is final.
   *
   * @return what the capture found, for its warnings (unknown plan nodes, an uncaptured command, a spent budget)
   */
  public synchronized LineageCapture.Result onEnd(Object executionEnd) {
    long executionId = SparkInternals.executionId(executionEnd);
    Long root = rootOfNested.remove(executionId);
    Object queryExecution = SparkInternals.successfulQueryExecution(executionEnd);
    // Every micro-batch is an execution: recognised by its class alone, at the cost of one comparison.
    String microBatchOf = StreamingQueryReader.microBatchQueryId(queryExecution);
    LineageCapture.Result result = queryExecution == null || microBatchOf != null ? LineageCapture.Result.NOTHING
        : capture.capture(queryExecution, executionId);
    QueryLineage lineage = result.lineage();
    if (result.overBudget() || result.nodeLimitReached()) {
      partialCaptures++;
    }
    if (root != null) {
      if (lineage != null) {
        heldByRoot.computeIfAbsent(root, id -> new ArrayList<>()).add(lineage);
      }
    } else {
      openRoots.remove(executionId);
      releaseChanges(lineage);
      if (result.catalogChange() != null) {
        changes.accept(result.catalogChange());
      }
      List<QueryLineage> nested = heldByRoot.remove(executionId);
      if (lineage != null) {
        out.accept(lineage);
        supersededNested += nested == null ? 0 : nested.size();
      } else if (nested != null && microBatchOf != null) {
        // Writes made by a foreachBatch function: the streaming query's outputs.
        for (QueryLineage write : withoutInnerInserts(nested)) {
          out.accept(write.withStreamingQuery(microBatchOf));
        }
      } else if (nested != null) {
        // The outer command wrote nothing we can name: its nested writes are the lineage.
        nested.forEach(out);
      }
    }
    return result;
  }

  /**
   * Under a micro-batch every write of a foreachBatch function is nested, a CTAS and its own inner insert alike. A
   * write that started after another one and ended before it ran inside it (the insert of a CTAS or saveAsTable,
   * which names only the table's directory): the outer write reports it, as it does outside a micro-batch.
   */
  private List<QueryLineage> withoutInnerInserts(List<QueryLineage> writes) {
    List<QueryLineage> kept = new ArrayList<>();
    for (int i = 0; i < writes.size(); i++) {
      boolean inner = false;
      for (int later = i + 1; later < writes.size() && !inner; later++) {
        inner = writes.get(later).executionId() < writes.get(i).executionId();
      }
      if (inner) {
        supersededNested++;
      } else {
        kept.add(writes.get(i));
      }
    }
    return kept;
  }

  /**
   * Executions whose capture stopped early, at the time budget or the node limit: their lineage holds what was
   * found by then.
   */
  public synchronized long partialCaptures() {
    return partialCaptures;
  }

  /** Nested writes left out because their outer command reported the same write. */
  public synchronized long supersededNested() {
    return supersededNested;
  }
}
