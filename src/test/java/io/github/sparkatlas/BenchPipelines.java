package io.github.sparkatlas;

import io.github.sparkatlas.config.AgentConfigDef;
import io.github.sparkatlas.delivery.Sink;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.model.Naming;
import io.github.sparkatlas.redact.Redactor;

/**
 * The agent thread's pipeline for the benchmarks in {@code io.github.sparkatlas.bench}, which live in another
 * package: records in, messages to the given sink, and the counts that show what the change detection holds.
 */
public final class BenchPipelines {
  private final LineagePipeline pipeline;

  /**
   * @param capacity       atlas.spark.queue.capacity
   * @param perQuery       query granularity
   * @param intervalMillis atlas.spark.process.update.interval.ms
   */
  public BenchPipelines(int capacity, Sink sink, boolean perQuery, long intervalMillis) {
    ErrorReporter errors = new ErrorReporter(AtlasAgent.LOG);
    Redactor redactor = Redactor.defaults();
    this.pipeline = new LineagePipeline(capacity, () -> sink, new Naming("bench"), redactor,
        new PlanTexts(redactor, AgentConfigDef.PLAN_TEXT_MAX_LENGTH.defaultValue(),
            AgentConfigDef.CAPTURE_BUDGET_MS.defaultValue(), errors), errors, perQuery, intervalMillis);
  }

  /** Queues one record as Spark's listener thread would; false when the queue refused it. */
  public boolean submit(QueryLineage record) {
    return pipeline.submit(record);
  }

  public boolean flush(long timeoutMillis) {
    return pipeline.flush(timeoutMillis);
  }

  public boolean close(long timeoutMillis) {
    return pipeline.close(timeoutMillis);
  }

  public long messages() {
    return pipeline.messages.get();
  }

  public long unchanged() {
    return pipeline.unchanged.get();
  }

  public long dropped() {
    return pipeline.dropped.get();
  }

  /** Processes held with their unions, datasets in them, and batch writes remembered by fingerprint. */
  public String stateHeld() {
    long[] held = new long[3];
    CountDownLatchTask.await(pipeline, () -> {
      held[0] = pipeline.updatesForBench().processesHeld();
      held[1] = pipeline.updatesForBench().datasetsHeld();
      held[2] = pipeline.updatesForBench().writesRemembered();
    });
    return "processes with unions=" + held[0] + ", datasets in them=" + held[1] + ", writes remembered=" + held[2];
  }

  /** Runs a probe on the agent thread, where the state lives, and waits for it. */
  private static final class CountDownLatchTask {
    static void await(LineagePipeline pipeline, Runnable probe) {
      java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
      pipeline.submit((AgentTask) lineage -> {
        probe.run();
        done.countDown();
      });
      try {
        done.await(60, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
