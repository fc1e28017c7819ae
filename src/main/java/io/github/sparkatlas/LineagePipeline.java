package io.github.sparkatlas;

import io.github.sparkatlas.config.AgentConfigDef;
import io.github.sparkatlas.delivery.DeliveryStats;
import io.github.sparkatlas.delivery.Sink;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.message.OutboundMessage;
import io.github.sparkatlas.message.NotificationJson;
import io.github.sparkatlas.model.ApplicationLineage;
import io.github.sparkatlas.model.HookNotification;
import io.github.sparkatlas.model.Naming;
import io.github.sparkatlas.model.SparkEntityFactory;
import io.github.sparkatlas.redact.Redactor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The agent's own thread: everything after the capture (rendering the plan text, redaction, entities, JSON, handing
 * over to the sink) happens here, so Spark's listener thread only ever enqueues. The queue is bounded; a full queue
 * drops and counts, never waits. The sink keeps what it accepts (the Kafka sink on disk) and does its network work on
 * a thread of its own, so a slow broker never backs this queue up.
 */
final class LineagePipeline {
  /** Applications remembered at once; a long-lived driver runs them one after another. */
  private static final int MAX_APPLICATIONS = 8;

  private final BlockingQueue<Object> queue;
  private final Supplier<Sink> sinkFactory;
  private volatile Sink sink;
  private final Naming naming;
  private final SparkEntityFactory entities;
  private final Redactor redactor;
  private final PlanTexts planTexts;
  private final ErrorReporter errors;
  private final Thread thread;
  private final Map<String, ApplicationLineage> applications = new LinkedHashMap<String, ApplicationLineage>(16, 0.75f,
      true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, ApplicationLineage> eldest) {
      return size() > MAX_APPLICATIONS;
    }
  };
  private volatile boolean stopped;
  final AtomicLong captured = new AtomicLong();
  final AtomicLong dropped = new AtomicLong();
  final AtomicLong messages = new AtomicLong();
  /** Datasets left out of an application's lineage at ApplicationLineage.MAX_DATASETS_PER_SIDE. */
  final AtomicLong datasetsOverLimit = new AtomicLong();

  /** With the default plan text length and time budget. */
  LineagePipeline(int capacity, Supplier<Sink> sinkFactory, Naming naming, Redactor redactor, ErrorReporter errors) {
    this(capacity, sinkFactory, naming, redactor, new PlanTexts(redactor,
        AgentConfigDef.PLAN_TEXT_MAX_LENGTH.defaultValue(), AgentConfigDef.CAPTURE_BUDGET_MS.defaultValue(), errors),
        errors);
  }

  LineagePipeline(int capacity, Supplier<Sink> sinkFactory, Naming naming, Redactor redactor, PlanTexts planTexts,
      ErrorReporter errors) {
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.sinkFactory = sinkFactory;
    this.naming = naming;
    this.entities = new SparkEntityFactory(naming, redactor);
    this.redactor = redactor;
    this.planTexts = planTexts;
    this.errors = errors;
    this.thread = new Thread(this::run, "spark-atlas-agent");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Called on Spark's listener thread: never blocks. */
  boolean submit(QueryLineage lineage) {
    captured.incrementAndGet();
    if (stopped || !queue.offer(lineage)) {
      dropped.incrementAndGet();
      errors.warnOnce("queue-full", "spark-atlas-agent queue is full (atlas.spark.queue.capacity); lineage of "
          + "some executions is dropped and counted, the Spark job is not slowed down");
      return false;
    }
    return true;
  }

  /**
   * Waits at most {@code timeoutMillis} until everything submitted so far has been handed to the sink and
   * the sink has delivered it. Returns false on timeout; nothing is lost by returning.
   */
  boolean flush(long timeoutMillis) {
    if (stopped) {
      return false;
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    CountDownLatch done = new CountDownLatch(1);
    try {
      if (!queue.offer(done, timeoutMillis, TimeUnit.MILLISECONDS)
          || !done.await(remaining(deadline), TimeUnit.MILLISECONDS)) {
        return false;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    Sink current = sink;
    return current == null || current.flush(remaining(deadline));
  }

  private static long remaining(long deadlineNanos) {
    return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
  }

  /** Flushes within the timeout, then stops the thread and closes the sink. */
  boolean close(long timeoutMillis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    boolean flushed = flush(timeoutMillis);
    stopped = true;
    thread.interrupt();
    try {
      Sink current = sink;
      if (current != null) {
        current.close(remaining(deadline));
      }
    } catch (Throwable t) {
      errors.internalError("closing the sink", t);
    }
    return flushed;
  }

  /** What the sink has done, or all zero before it exists. */
  DeliveryStats deliveryStats() {
    Sink current = sink;
    return current == null ? new DeliveryStats(0, 0, 0, 0, 0, 0, 0) : current.stats();
  }

  /** Whether the agent thread has given up (its sink could not be created). */
  boolean stopped() {
    return stopped;
  }

  private void run() {
    try {
      // Created here, not on the thread that starts the SparkContext: a producer loads classes and logs in.
      sink = sinkFactory.get();
    } catch (Throwable t) {
      stopped = true;
      queue.clear();
      AtlasAgent.LOG.error("spark-atlas-agent disabled, the Spark job runs without lineage: cannot create its "
          + "sink ({})", redactor.redact(t.toString()));
      return;
    }
    while (!stopped) {
      Object task;
      try {
        task = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      try {
        if (task instanceof CountDownLatch) {
          ((CountDownLatch) task).countDown();
        } else {
          process((QueryLineage) task);
        }
        if (queue.isEmpty()) {
          sink.sync();
        }
      } catch (Throwable t) {
        errors.internalError("building or sending a message", t);
      }
    }
  }

  private void process(QueryLineage captured) {
    QueryLineage lineage = planTexts.render(captured).withRedactedText(redactor::redact);
    ApplicationLineage app = applications.get(lineage.applicationId());
    if (app == null) {
      app = new ApplicationLineage(lineage.applicationId());
      applications.put(lineage.applicationId(), app);
    }
    long notAddedBefore = app.datasetsNotAdded();
    app.add(lineage);
    noteDatasetLimit(app, notAddedBefore);
    HookNotification notification = entities.processNotification(app);
    sink.accept(new OutboundMessage(lineage.applicationId(), naming.process(lineage.applicationId()), lineage.user(),
        System.currentTimeMillis(), NotificationJson.toText(NotificationJson.toJson(notification)),
        app.latestPlanText() != null));
    messages.incrementAndGet();
  }

  /** The dataset limit is said once per application at WARN, and every dataset it leaves out is counted. */
  private void noteDatasetLimit(ApplicationLineage app, long notAddedBefore) {
    long notAdded = app.datasetsNotAdded() - notAddedBefore;
    if (notAdded > 0) {
      datasetsOverLimit.addAndGet(notAdded);
      errors.warnOnce("dataset-limit:" + app.applicationId(), "spark-atlas-agent: application "
          + app.applicationId() + " has read or written more than " + ApplicationLineage.MAX_DATASETS_PER_SIDE
          + " datasets on one side; further inputs or outputs are left out of its spark_process (reported once, "
          + "counted in the summary as datasets over limit)");
    }
  }

  /** Plan texts left out because rendering them took longer than the time budget. */
  long planTextsOverBudget() {
    return planTexts.overBudget();
  }
}
