package io.github.sparkatlas.capture;

import io.github.sparkatlas.lineage.QueryLineage;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerEvent;

/** Captures every SQL execution end the way the agent does, on Spark's real listener bus. */
final class CapturedExecutions extends SparkListener {
  private final List<QueryLineage> lineages = new ArrayList<>();
  private final ExecutionTracker tracker = new ExecutionTracker(new LineageCapture(10_000, 60_000), lineages::add);
  private final Set<String> unknownNodes = new LinkedHashSet<>();
  private final Set<String> uncapturedCommands = new LinkedHashSet<>();
  private final List<Throwable> errors = new ArrayList<>();

  @Override
  public synchronized void onOtherEvent(SparkListenerEvent event) {
    try {
      if (event.getClass().getSimpleName().equals("SparkListenerSQLExecutionStart")) {
        tracker.onStart(event);
      } else if (event.getClass().getSimpleName().equals("SparkListenerSQLExecutionEnd")) {
        LineageCapture.Result result = tracker.onEnd(event);
        unknownNodes.addAll(result.unknownNodes());
        if (result.uncapturedCommand() != null) {
          uncapturedCommands.add(result.uncapturedCommand());
        }
      }
    } catch (Throwable t) {
      errors.add(t);
    }
  }

  synchronized List<QueryLineage> drain() {
    if (!errors.isEmpty()) {
      AssertionError failure = new AssertionError("capture threw");
      errors.forEach(failure::addSuppressed);
      errors.clear();
      throw failure;
    }
    List<QueryLineage> out = new ArrayList<>(lineages);
    lineages.clear();
    return out;
  }

  synchronized Set<String> unknownNodes() {
    return new LinkedHashSet<>(unknownNodes);
  }

  synchronized Set<String> uncapturedCommands() {
    return new LinkedHashSet<>(uncapturedCommands);
  }

  synchronized void clearUnknown() {
    unknownNodes.clear();
    uncapturedCommands.clear();
  }
}
