package io.github.sparkatlas.brokenspark;

import org.apache.spark.scheduler.SparkListenerEvent;
import scala.Option;

/**
 * A SQL execution start event (the agent recognizes events by simple name) of a Spark build whose event class
 * names a type this JVM cannot link. Spark's own listeners ignore it: it is not their event class.
 */
public final class SparkListenerSQLExecutionStart implements SparkListenerEvent {
  private final long executionId;

  public SparkListenerSQLExecutionStart(long executionId) {
    this.executionId = executionId;
  }

  public long executionId() {
    return executionId;
  }

  public Option<Object> rootExecutionId() {
    return Option.apply(executionId - 1);
  }

  public Unlinkable sparkPlanInfo() {
    return null;
  }
}
